"""The editor's API types come from /api/schema/, so the schema must be current and tell the truth.

The first test regenerates frontend/src/api/schema.gen.ts and compares it with the committed file
(as ./scripts/test does before the long suites, so a stale file fails pytest run alone too). The
second checks real responses against the schema's components, with every field the schema calls
required, nullable or of a shape, which is what the generated TypeScript types promise.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dataset_zips import forklift_zip, mask_members, zip_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from helpers import wait_for
from jsonschema import validators
from openapi_schema_validator import OAS30ReadValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from webapp.jobs.models import Job

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_api_types_are_generated_from_the_current_schema():
    # The generator runs this interpreter's `python` (the project's environment) and the front end's
    # openapi-typescript and Prettier (`npm ci` in frontend/).
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        [str(ROOT / "scripts" / "generate-api-types"), "--check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]


def _nullable_all_of(validator, all_of, instance, schema):
    # drf-spectacular writes a nullable reference as {allOf: [$ref], nullable: true}, and
    # openapi-typescript reads it as `X | null`; the strict OpenAPI 3.0.3 reading ignores a nullable
    # without a type. Read it as the generated types do.
    if instance is None and schema.get("nullable") is True:
        return
    yield from OAS30ReadValidator.VALIDATORS["allOf"](validator, all_of, instance, schema)


_ResponseValidator = validators.extend(OAS30ReadValidator, {"allOf": _nullable_all_of})


def _conforms(schema: dict, component: str, body: object) -> None:
    """Fail, naming every mismatch, unless ``body`` is a valid ``component`` as the API sends it."""
    registry = Registry().with_resource(
        "urn:api", Resource.from_contents(schema, default_specification=DRAFT4)
    )
    validator = _ResponseValidator({"$ref": f"urn:api#/components/schemas/{component}"}, registry=registry)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
    assert errors == [], f"{component}: {errors}"


def _png(size: int = 40) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("L", (size, size), 0)
    ImageDraw.Draw(image).ellipse((8, 8, size - 8, size - 8), fill=255)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
def test_responses_hold_what_the_schema_and_so_the_editors_types_promise(client, catalog, worker):
    schema = client.get("/api/schema/?format=json").json()
    graph = client.post("/api/graphs/", {"name": "types"}, format="json").json()
    nodes = [
        client.post(f"/api/graphs/{graph['id']}/nodes/", {"module": catalog[name].id}, format="json").json()
        for name in ("cat-category", "dog-classification")
    ]
    for node in nodes:
        _conforms(schema, "Node", node)
    queued = client.post(
        f"/api/graphs/{graph['id']}/edges/",
        {"source": nodes[0]["id"], "target": nodes[1]["id"], "settings": {"steps": 5}},
        format="json",
    ).json()
    _conforms(schema, "Edge", queued)  # a queued job: nothing started, no metrics, no adapter yet
    job_id = queued["job"]["id"]
    wait_for(
        lambda: Job.objects.get(pk=job_id).status in ("succeeded", "failed"), timeout=120, what="the job"
    )
    job = client.get(f"/api/jobs/{job_id}/").json()
    assert job["status"] == "succeeded", job["error"]
    _conforms(schema, "Job", job)  # finished: metrics, adapter and how it learned
    _conforms(schema, "Graph", client.get(f"/api/graphs/{graph['id']}/").json())
    _conforms(schema, "PaginatedGraphSummaryList", client.get("/api/graphs/").json())
    _conforms(schema, "PaginatedJobList", client.get(f"/api/jobs/?graph={graph['id']}").json())
    for point in client.get(f"/api/jobs/{job_id}/points/").json():
        _conforms(schema, "JobPoint", point)
    _conforms(schema, "Insight", client.get(f"/api/jobs/{job_id}/insight/").json())
    prediction = client.post(
        f"/api/graphs/{graph['id']}/edges/{queued['id']}/predict/",
        {"image": SimpleUploadedFile("cat.png", _png(), "image/png")},
        format="multipart",
    ).json()
    _conforms(schema, "Prediction", prediction)
    _conforms(schema, "GraphDocument", client.get(f"/api/graphs/{graph['id']}/export/").json())

    # Modules of every kind: a task module has no category, an adapter no teacher.
    _conforms(schema, "PaginatedModuleList", client.get("/api/modules/?page_size=50").json())
    for module_id in (catalog["cat-category"].id, catalog["dog-classification"].id, job["adapter"]):
        _conforms(schema, "Module", client.get(f"/api/modules/{module_id}/").json())
        _conforms(schema, "Lineage", client.get(f"/api/modules/{module_id}/lineage/").json())
        _conforms(schema, "Usage", client.get(f"/api/modules/{module_id}/usage/").json())
    _conforms(schema, "Facets", client.get("/api/modules/facets/").json())

    _conforms(schema, "EdgeSettingsSpec", client.get("/api/edge-settings/").json())
    preview = client.get(
        f"/api/edge-settings/preview/?category={catalog['cat-category'].id}"
        f"&task={catalog['dog-classification'].id}"
    ).json()
    _conforms(schema, "EdgeSettingsPreview", preview)
    _conforms(schema, "UserEnvelope", client.get("/api/auth/me/").json())


@pytest.mark.django_db
def test_datasets_of_both_tasks_hold_what_the_schema_promises(client):
    schema = client.get("/api/schema/?format=json").json()
    for name, archive in (("forklifts.zip", forklift_zip(30)), ("horses.zip", zip_bytes(mask_members(12)))):
        response = client.post(
            "/api/datasets/", {"archive": SimpleUploadedFile(name, archive)}, format="multipart"
        )
        assert response.status_code == 201, response.content
        _conforms(schema, "Dataset", response.json())
    _conforms(schema, "PaginatedDatasetList", client.get("/api/datasets/").json())
    _conforms(schema, "DatasetFacets", client.get("/api/datasets/facets/").json())


@pytest.mark.django_db
def test_a_response_that_breaks_the_schema_is_caught(client):
    """The check above can fail: a missing required field, a null where none is allowed, a wrong type."""
    schema = client.get("/api/schema/?format=json").json()
    point = {"step": 3, "losses": {"loss": 0.5}, "metrics": None}
    _conforms(schema, "JobPoint", point)
    for broken in ({"step": 3, "losses": {"loss": 0.5}}, {**point, "losses": None}, {**point, "step": "3"}):
        with pytest.raises(AssertionError, match="JobPoint"):
            _conforms(schema, "JobPoint", broken)
    # A nullable reference takes null, but its object must still be whole.
    edge = {"id": 1, "source": 1, "target": 2, "job": None, "adapter": None}
    edge["settings"] = {"method": "auto", "samples": 0, "adapter_layers": 1, "steps": 300, "seed": 0}
    _conforms(schema, "Edge", edge)
    with pytest.raises(AssertionError, match="Edge"):
        _conforms(schema, "Edge", {**edge, "job": {"id": 3}})
