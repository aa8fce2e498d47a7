import pytest


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """Async tests (marked ``@pytest.mark.anyio``) run on asyncio."""
    return "asyncio"
