"""Which Python files are worth libcst's parse: those whose imports lead to a
name in the SDK table. Everything else gets only the syntax check."""

from __future__ import annotations

import ast

import pytest

from auditor.knowledge import sdk_table
from auditor.scanners.modules import import_links


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
        "from langchain_community.document_loaders.pdf import PyPDFLoader\n",
        "from langchain_community.document_loaders.parsers.pdf import PyMuPDFParser\n",
        "from langchain_community.vectorstores.faiss import FAISS\n",
        "from langchain_community.tools.tavily_search.tool import TavilySearchResults\n",
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
        # what sits beside the framework's components: abstract bases, helpers,
        # settings, classes its entry's pattern leaves out
        "from langchain_community.document_loaders.base import BaseLoader\n",
        "from langchain_community.document_loaders.blob_loaders import Blob\n",
        "from langchain_community.vectorstores.utils import DistanceStrategy\n",
        "from langchain_community.utilities.requests import Requests\n",
        "from langchain_community.tools.file_management.utils import INVALID_PATH_TEMPLATE\n",
    ],
)
def test_imports_that_cannot_lead_to_an_sdk_name(source: str) -> None:
    assert not sdk_table().imports_sdk(source.encode())


DOCSTRING_EXAMPLE = '''"""Send events to the audit log.

Usage::

    from openai import OpenAI
    from helpdesk.service import TicketService
"""

import json
from helpdesk.config import AUDIT_URL
'''


def test_an_import_line_in_a_docstring_is_not_an_import() -> None:
    """With the file's tree (as every scan has it), only import statements
    count: LangChain's modules show their usage in docstrings, and such a
    file is neither worth libcst's parse nor linked to the modules it shows."""
    tree = ast.parse(DOCSTRING_EXAMPLE)
    assert not sdk_table().worth_parsing(DOCSTRING_EXAMPLE, tree)
    links = import_links("helpdesk/audit.py", DOCSTRING_EXAMPLE, tree)
    assert links is not None and links.value == "helpdesk.config:AUDIT_URL:AUDIT_URL"
    real = DOCSTRING_EXAMPLE + "if True:\n    from openai import OpenAI as Client\n"
    assert sdk_table().worth_parsing(real, ast.parse(real))
    # Without a tree (a file ast rejects) the import lines of the text decide.
    assert sdk_table().imports_sdk(DOCSTRING_EXAMPLE)


@pytest.mark.parametrize(
    ("source", "worth"),
    [
        # an HTTP client that sends to an endpoint
        (
            "import httpx\nr = httpx.post('https://api.openai.com/v1/chat/completions', json={})\n",
            True,
        ),
        (
            "from urllib.request import Request, urlopen\n"
            "urlopen(Request('http://localhost:11434/api/generate', data=b'{}'))\n",
            True,
        ),
        # urllib.parse sends nothing
        (
            "from urllib.parse import urlparse\n"
            "HOST = urlparse('https://myres.openai.azure.com/openai/deployments/gpt').netloc\n",
            False,
        ),
        # a test that names an endpoint for a mock and makes no request
        (
            "import httpx\nimport respx\n\n@respx.mock\ndef test_chat():\n"
            "    respx.route(url='https://api.openai.com/v1/chat/completions')\n",
            False,
        ),
    ],
)
def test_an_endpoint_is_worth_parsing_only_with_a_request(source: str, worth: bool) -> None:
    assert sdk_table().worth_parsing(source, ast.parse(source)) is worth
