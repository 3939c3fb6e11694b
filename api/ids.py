"""The ids a client names: positive, and within the databases' 64-bit integers (a larger
number would fail in the database rather than find nothing)."""

from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
