"""Which Python files are worth libcst's parse: those whose imports lead to a
name in the SDK table. Everything else gets only the syntax check."""

from __future__ import annotations

import pytest

from auditor.knowledge import sdk_table


@pytest.mark.parametrize(
    "source",
    [
        "import openai\n",
        "import os, openai as oa\n",
        "from openai import OpenAI\n",
        "    from openai import (\n        AsyncOpenAI,  # async\n        OpenAI,\n    )\n",
        "from openai import *\n",
        "import google.generativeai as genai\n",
        "from google import genai\n",
        "from langchain_openai import ChatOpenAI\n",
        "from langchain_openai import SomethingNewer\n",  # a glob module: any class
        "from langchain_core.prompts import ChatPromptTemplate\n",
        "from langchain_community import vectorstores\n",
        "from transformers import pipeline\n",
        "from haystack.components.generators import OpenAIGenerator\n",
        "try:\n    import anthropic\nexcept ImportError:\n    anthropic = None\n",
    ],
)
def test_imports_that_lead_to_an_sdk_name(source: str) -> None:
    assert sdk_table().imports_sdk(source.encode())


@pytest.mark.parametrize(
    "source",
    [
        "import os\nimport json\n",
        "from openai.types.chat import ChatCompletion\n",
        "from langchain_core.documents import Document\n",
        "from haystack import Document, component\n",
        "from transformers import AutoTokenizer\n",
        "from google.cloud import storage\n",
        "from .openai import OpenAI\n",  # the project's own module
        "# import openai\ntext = 'from openai import OpenAI'\n",
        "import openai_helpers\n",
    ],
)
def test_imports_that_cannot_lead_to_an_sdk_name(source: str) -> None:
    assert not sdk_table().imports_sdk(source.encode())
