"""What every API operation shares: the error answers, ids and references as paths take them."""

from typing import Annotated, Any

from ninja import Field, Schema

Slug = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=40)]


class FieldErrorOut(Schema):
    field: str = Field(description="The field, query parameter or path parameter at fault")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldErrorOut] = []


# An object's id as the API takes it in a path or a body: the database's ids are positive
# 64-bit integers, and a larger number is refused by name, not carried to the database.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# A force's reference as a query filter: printable, as every stored one is (and PostgreSQL
# cannot even compare a string holding a NUL).
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
Reference = Annotated[str, Field(min_length=1, max_length=60, pattern=PRINTABLE)]

# The answers every operation may give besides its own: 400 names each bad field or query
# parameter, 401 is a missing or unknown token. NOT_FOUND: for operations with a path id.
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut}
NOT_FOUND: dict[int, Any] = {404: ErrorOut}
