"""A form builder's `multipart/form-data` post is taken like a URL-encoded form, over HTTP."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from core.config import OfficeConfig
from tests.intake import AUTH, running_intake
from tests.office import TOKEN, office_data


def multipart(fields: dict[str, str], *, files: dict[str, bytes] | None = None
              ) -> aiohttp.MultipartWriter:
    """A body as a browser or a form builder sends it."""
    writer = aiohttp.MultipartWriter("form-data")
    for name, value in fields.items():
        part = writer.append(value)
        part.set_content_disposition("form-data", name=name)
    for name, content in (files or {}).items():
        part = writer.append(content)
        part.set_content_disposition("form-data", name=name, filename=f"{name}.pdf")
    return writer


async def test_a_multipart_form_post_is_a_lead_with_its_token_as_a_field(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    async with running_intake(database) as intake:
        status, answer = await intake.post(data=multipart(
            {"token": TOKEN, "name": "Şule Öztürk", "phone": "0532 123 45 67",
             "region": "Kadıköy"}, files={"brochure": b"%PDF-1.4 \x00\xff"}))
        assert status == 201, answer
        lead = await intake.lead(answer["lead_id"])
    assert (lead["name"], lead["phone"], lead["region"]) == (
        "Şule Öztürk", "+905321234567", "Kadıköy")


async def test_a_broken_multipart_body_is_400_and_stores_nothing(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    async with running_intake(database) as intake:
        status, answer = await intake.post(
            data=b"--nope\r\nthis is not what the boundary said",
            headers={"Content-Type": "multipart/form-data; boundary=other"})
        assert status == 400, answer
        assert answer["error"] == "body is not valid multipart/form-data"
        assert (await intake.stored()).leads == 0


def thanking_office() -> OfficeConfig:
    data = office_data()
    data["sources"] = [{**data["sources"][0],  # type: ignore[index]
                        "thank_you_urls": ["https://example.com/thanks",
                                           "https://example.com/tesekkurler"]}]
    return OfficeConfig.model_validate(data)


async def test_a_browser_form_goes_to_a_thank_you_page_its_source_lists(tmp_path: Path) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    form = {"token": TOKEN, "name": "Deniz", "phone": "0532 123 45 67"}
    async with running_intake(database, config=thanking_office()) as intake:
        places = []
        for asked in (None, "https://example.com/tesekkurler", "https://evil.example/x"):
            body = {**form, "phone": f"0532 123 45 6{len(places)}",
                    **({"redirect": asked} if asked else {})}
            async with intake.session.post(intake.url(), data=body,
                                           allow_redirects=False) as response:
                assert response.status == 303
                places.append(response.headers["Location"])
        assert (await intake.stored()).leads == 3
        status, answer = await intake.post(headers=AUTH, json={"phone": "0532 123 45 99"})
    assert places == ["https://example.com/thanks", "https://example.com/tesekkurler",
                      "https://example.com/thanks"]
    assert status == 201, "a JSON sender still gets the JSON answer"
    assert set(answer) == {"lead_id"}
