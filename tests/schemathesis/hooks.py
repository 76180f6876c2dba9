"""Schemathesis hooks for `cargo xtask schemathesis` (loaded through schemathesis.toml).

Three built-in checks ask for something no server can do for *some* operations of real-world
documents, because the document itself leaves no correct answer. Each is replaced here by a
narrowed copy that runs the built-in check unchanged and only excuses the failures matching one
rule below; every excused case is appended to $MOCKGEN_ST_EXEMPTIONS (one JSON line) and
`cargo xtask schemathesis` prints how often each rule fired per spec, so nothing is excused
silently. The built-ins are excluded with a pointer here (tests/schemathesis/not-applicable.txt).

Rules (documented again in tests/schemathesis/README.md):

no-documented-rejection (status_code_conformance)
    mockgen rejected the request (its own problem+json: 400 malformed, 401 missing
    credentials, 405, 406, 413, 415, 422 invalid) and the operation documents no response that
    could carry that rejection: neither that status, nor 400/422 for validation errors, nor
    `4XX`, nor `default` (for a body that does not even parse, mockgen's 400 INVALID_BODY, only
    400 itself, `4XX` or `default` count: a 422 documents well-formed but invalid content).
    Rejecting is what negative_data_rejection demands; answering with a
    documented 2xx would accept invalid data. A document that declares only `200` cannot be
    conformed to by any server that validates its input.

no-responses-documented (status_code_conformance)
    The operation has an empty `responses` object (`mockgen check` reports it), so every
    status is undocumented; mockgen answers 200 with no body.

only-error-responses-documented (positive_data_acceptance)
    The operation documents no 2xx, 3xx or `default` response (petstore's `DELETE /pet/{petId}`
    documents only `400`), so a mock can only answer with what is documented; the response is
    the documented one (not a mockgen rejection).

document-example-invalid (response_schema_conformance)
    The response body is, verbatim, an example (or default) written in the document, and
    that example violates the document's own schema (`mockgen check` reports each one as
    `example-invalid`). mockgen serves the document's examples as written, as Prism does
    (`mockgen serve --errors` turns them into a 500 instead); generated bodies are always
    valid, so any other violation still fails.

read-only-in-request (positive_data_acceptance)
    The request carries a `readOnly` property (Schemathesis sends the document's own request
    examples, which include them); mockgen refuses readOnly properties in requests, as the
    mock's contract requires. Excused only when every violation mockgen lists is readOnly.

generated-value-misses-pattern (positive_data_acceptance)
    Schemathesis generated a "valid" string that does not match its `pattern` (it translates
    ECMA-262 Unicode properties such as `\p{Z}` loosely and lets `\f`/`\r` through). Excused
    only when every violation mockgen lists is a pattern violation that jsonschema_rs — the
    validator Schemathesis itself uses — confirms.

generated-value-matches-several-oneOf-branches (positive_data_acceptance)
    Schemathesis builds a `oneOf` value from one branch without checking that it matches no
    other; when branches overlap (nexmo reports, digitalocean droplet actions, the
    discriminators example) the value is invalid JSON Schema (oneOf = exactly one) and mockgen
    says so. Excused only when every violation mockgen lists is "valid under more than one of
    the schemas listed in oneOf". (Whether a `discriminator` should pick the branch instead
    is an open design question: notes S2.)

no-content-no-content-type (content_type_conformance)
    The response has no content, because the document declares none for that status (a 204,
    or a Swagger 2.0 response without `schema`). Schemathesis applies 2.0's operation-wide
    `produces` to every response and wants a Content-Type anyway; RFC 9110 says Content-Type
    describes the content, and there is none. Excused only for empty bodies of such statuses.

method-routed-elsewhere (unsupported_method)
    The "undeclared" method is declared, for this very URL, by another templated path of the
    same document (`POST /pet/findByStatus` is `POST /pet/{petId}` with petId=findByStatus).
    mockgen routes per method as Prism does, so the request reaches that operation and gets
    its answer (usually a 422 for the parameter) instead of a 405.
"""

from __future__ import annotations

import json
import os
import re
import threading
from urllib.parse import urlparse

import schemathesis
from schemathesis.specs.openapi import checks as builtin

_LOCK = threading.Lock()
_MOCKGEN_ERROR = "https://mockgen.dev/errors#"


def _record(rule: str, check: str, case, response, reason: str) -> None:
    path = os.environ.get("MOCKGEN_ST_EXEMPTIONS")
    if not path:
        return
    entry = {
        "rule": rule,
        "check": check,
        "operation": case.operation.label,
        "status": response.status_code,
        "method": response.request.method,
        "url": response.request.url,
        "reason": reason,
    }
    with _LOCK, open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def _documented(case) -> list[str]:
    return [str(code) for code in case.operation.responses.status_codes]


def _is_mockgen_rejection(response) -> bool:
    content_type = response.headers.get("content-type", [""])
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    # Swagger 2.0: mockgen labels its problems with the JSON type `produces` declares.
    if "json" not in content_type:
        return False
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return False
    return isinstance(body, dict) and str(body.get("type", "")).startswith(_MOCKGEN_ERROR)


def _problem_type(response) -> str:
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return ""
    return str(body.get("type", "")) if isinstance(body, dict) else ""


def _covers(documented: list[str], status: int) -> bool:
    for code in documented:
        code = code.upper()
        if code == "DEFAULT" or code == str(status):
            return True
        if len(code) == 3 and code.endswith("XX") and code[0] == str(status)[0]:
            return True
    return False


@schemathesis.check
def mockgen_status_code_conformance(ctx, response, case):
    """status_code_conformance, excusing rule `no-documented-rejection` (see module doc)."""
    try:
        return builtin.status_code_conformance(ctx, response, case)
    except AssertionError:
        documented = _documented(case)
        status = response.status_code
        if not documented:
            _record(
                "no-responses-documented",
                "status_code_conformance",
                case,
                response,
                f"the operation documents no response at all; answered {status}",
            )
            return None
        if status in (400, 401, 405, 406, 413, 415, 422) and _is_mockgen_rejection(response):
            alternatives = [status] + ([400, 422] if status in (400, 422) else [])
            if status == 400 and _problem_type(response).endswith("#INVALID_BODY"):
                # Unparseable content is a 400 (RFC 9110); a documented 422 is for well-formed
                # content that breaks the schema, so it does not cover a syntax error.
                alternatives = [400]
            if not any(_covers(documented, s) for s in alternatives):
                _record(
                    "no-documented-rejection",
                    "status_code_conformance",
                    case,
                    response,
                    f"rejected with {status}; documented only {', '.join(documented)}",
                )
                return None
        raise


def _violations(response) -> list:
    """The `validation` entries of mockgen's problem+json (or of a documented error body)."""
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return []
    entries = body.get("validation") if isinstance(body, dict) else None
    return entries if isinstance(entries, list) else []


_PATTERN_MESSAGE = re.compile(r'^(".*") does not match (".*")$', re.S)


def _pattern_really_fails(entry) -> bool:
    """A `pattern` violation whose value also fails the pattern in jsonschema_rs (the
    validator Schemathesis itself uses for responses, ECMA-262 regexes with Unicode
    properties): Schemathesis' generator translated the regex differently (`\\p{Z}`)."""
    if not isinstance(entry, dict) or entry.get("code") != "pattern":
        return False
    found = _PATTERN_MESSAGE.match(str(entry.get("message", "")))
    if not found:
        return False
    try:
        import jsonschema_rs

        # The value is JSON-quoted; the pattern is quoted as written.
        value, pattern = json.loads(found.group(1)), found.group(2)[1:-1]
        return not jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid(value)
    except Exception:
        return False


@schemathesis.check
def mockgen_positive_data_acceptance(ctx, response, case):
    """positive_data_acceptance, excusing rules `only-error-responses-documented`,
    `read-only-in-request` and `generated-value-misses-pattern`."""
    try:
        return builtin.positive_data_acceptance(ctx, response, case)
    except AssertionError:
        violations = _violations(response)
        if violations and all(isinstance(v, dict) and v.get("code") == "readOnly" for v in violations):
            _record(
                "read-only-in-request",
                "positive_data_acceptance",
                case,
                response,
                "; ".join(str(v.get("message")) for v in violations),
            )
            return None
        if violations and all(
            isinstance(v, dict)
            and v.get("code") == "oneOf"
            and "more than one" in str(v.get("message", ""))
            for v in violations
        ):
            _record(
                "generated-value-matches-several-oneOf-branches",
                "positive_data_acceptance",
                case,
                response,
                "; ".join(f"{v.get('location')}: {v.get('message')}" for v in violations),
            )
            return None
        if violations and all(_pattern_really_fails(v) for v in violations):
            _record(
                "generated-value-misses-pattern",
                "positive_data_acceptance",
                case,
                response,
                "; ".join(str(v.get("message")) for v in violations),
            )
            return None
        documented = _documented(case)
        success = [c for c in documented if c.upper() == "DEFAULT" or c[:1] in ("2", "3")]
        if (
            not success
            and not _is_mockgen_rejection(response)
            and _covers(documented, response.status_code)
        ):
            _record(
                "only-error-responses-documented",
                "positive_data_acceptance",
                case,
                response,
                f"answered documented {response.status_code}; documented only {', '.join(documented)}",
            )
            return None
        raise


def _template_regex(path: str) -> re.Pattern:
    parts = re.split(r"(\{[^}/]*\})", path)
    body = "".join("[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts)
    # Any base path in front; an optional trailing slash.
    return re.compile(".*" + body + "/?$")


_ROUTES: dict[int, list] = {}


def _routes(schema) -> list:
    key = id(schema)
    if key not in _ROUTES:
        routes = []
        for result in schema.get_all_operations():
            operation = getattr(result, "ok", lambda: None)()
            if operation is not None:
                routes.append((operation.method.upper(), operation.path, _template_regex(operation.path)))
        _ROUTES[key] = routes
    return _ROUTES[key]


def _routed_elsewhere(case, method: str, url_path: str):
    for other_method, path, regex in _routes(case.operation.schema):
        if other_method == method and path != case.operation.path and regex.match(url_path):
            return f"{other_method} {path}"
    return None


@schemathesis.check
def mockgen_unsupported_method(ctx, response, case):
    """unsupported_method, excusing rule `method-routed-elsewhere`."""
    try:
        return builtin.unsupported_method(ctx, response, case)
    except AssertionError:
        method = str(response.request.method).upper()
        url_path = urlparse(response.request.url).path
        other = _routed_elsewhere(case, method, url_path)
        if other is not None:
            _record(
                "method-routed-elsewhere",
                "unsupported_method",
                case,
                response,
                f"{method} {url_path} is {other}",
            )
            return None
        raise


_EXAMPLES: dict[int, set] = {}


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _document_examples(schema) -> set:
    """Every example and default value written anywhere in the document, canonical JSON."""
    key = id(schema)
    if key in _EXAMPLES:
        return _EXAMPLES[key]
    found: set = set()

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("example", "default", "x-example"):
                    found.add(_canonical(v))
                elif k == "examples":
                    items = v.values() if isinstance(v, dict) else v if isinstance(v, list) else []
                    for item in items:
                        found.add(_canonical(item))
                        if isinstance(item, dict) and "value" in item:
                            found.add(_canonical(item["value"]))
                elif k == "value" and isinstance(node.get("summary", node.get("description")), str):
                    found.add(_canonical(v))
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema.raw_schema)
    # Header values cannot carry control characters: mockgen sends them as spaces.
    for text in [json.loads(c) for c in found if c.startswith('"')]:
        found.add(_canonical(re.sub(r"[\x00-\x1f\x7f]", " ", text)))
    # components/examples/<name>/value, reached through $ref from media types.
    components = schema.raw_schema.get("components", {})
    if isinstance(components, dict):
        for example in (components.get("examples") or {}).values():
            if isinstance(example, dict) and "value" in example:
                found.add(_canonical(example["value"]))
    _EXAMPLES[key] = found
    return found


def _served_document_example(case, response) -> bool:
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        return False
    return _canonical(body) in _document_examples(case.operation.schema)


@schemathesis.check
def mockgen_response_schema_conformance(ctx, response, case):
    """response_schema_conformance, excusing rule `document-example-invalid`."""
    try:
        return builtin.response_schema_conformance(ctx, response, case)
    except AssertionError:
        if _served_document_example(case, response):
            _record(
                "document-example-invalid",
                "response_schema_conformance",
                case,
                response,
                "the body is an example written in the document, invalid against its schema",
            )
            return None
        raise
    except BaseExceptionGroup as group:
        if _served_document_example(case, response):
            _record(
                "document-example-invalid",
                "response_schema_conformance",
                case,
                response,
                f"the body is an example written in the document ({len(group.exceptions)} violations)",
            )
            return None
        raise


# Request bodies Schemathesis has no serializer for (otherwise those operations error out
# untested): tar archives are opaque bytes; NDJSON is one JSON document per line.
schemathesis.serializer.alias("application/x-tar", "application/octet-stream")


@schemathesis.serializer("application/ndjson", "application/x-ndjson")
def ndjson_serializer(ctx, value):
    # The document gives one schema for the media type, so the generated value is one
    # document: one line (a list stays a list, so negative values stay negative).
    if isinstance(value, bytes):
        return value
    return (json.dumps(value) + "\n").encode("utf-8")


@schemathesis.check
def mockgen_response_headers_conformance(ctx, response, case):
    """response_headers_conformance, excusing rule `document-example-invalid` for headers:
    the offending header value is an example written in the document."""
    try:
        return builtin.response_headers_conformance(ctx, response, case)
    except AssertionError as failure:
        failures = getattr(failure, "exceptions", None) or [failure]
        examples = _document_examples(case.operation.schema)
        if all(
            hasattr(f, "instance") and _canonical(getattr(f, "instance")) in examples for f in failures
        ):
            _record(
                "document-example-invalid",
                "response_headers_conformance",
                case,
                response,
                "a header value is an example written in the document, invalid against its schema",
            )
            return None
        raise


def _declares_no_body(case, status: int) -> bool:
    """The document's response for `status` has no schema (2.0) and no content (3.x)."""
    raw = getattr(case.operation.definition, "raw", None) or {}
    responses = raw.get("responses", {}) if isinstance(raw, dict) else {}
    entry = responses.get(str(status))
    if entry is None:
        entry = responses.get(f"{str(status)[0]}XX", responses.get("default"))
    if not isinstance(entry, dict) or "$ref" in entry:
        return False
    return "schema" not in entry and not entry.get("content")


@schemathesis.check
def mockgen_content_type_conformance(ctx, response, case):
    """content_type_conformance, excusing rule `no-content-no-content-type` (see module doc)."""
    try:
        return builtin.content_type_conformance(ctx, response, case)
    except AssertionError:
        status = response.status_code
        if not response.content and (status in (204, 205, 304) or _declares_no_body(case, status)):
            _record(
                "no-content-no-content-type",
                "content_type_conformance",
                case,
                response,
                "the response has no content (the document declares none for this status), "
                "so it carries no Content-Type",
            )
            return None
        raise
