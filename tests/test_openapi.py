"""`/openapi.json` describes exactly what the intake accepts: a valid OpenAPI 3.1 document
whose every example, posted over HTTP, is answered as it says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from tests.intake import AUTH, running_intake
from webhooks.openapi import EXAMPLES


async def test_the_document_is_valid_openapi_and_every_example_is_answered_as_it_says(
    tmp_path: Path,
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    async with running_intake(database) as intake:
        async with intake.session.get(intake.url("/openapi.json")) as response:
            assert response.status == 200
            document: dict[str, Any] = await response.json()
        validate(document)
        post = document["paths"]["/webhooks/leads"]["post"]
        examples = post["requestBody"]["content"]["application/json"]["examples"]
        assert set(examples) == set(EXAMPLES)
        for name, example in examples.items():
            status, answer = await intake.post(headers=AUTH, json=example["value"])
            assert status == EXAMPLES[name][1], (name, answer)
            assert str(status) in post["responses"], (name, status)
        stored = await intake.stored()
    assert stored.leads == sum(1 for _, status in EXAMPLES.values() if status == 201)
