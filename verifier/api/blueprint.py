"""flask-smorest's Blueprint with a JSON parser that turns hostile JSON into a 400.

webargs decodes the body itself; a deeply nested document raises RecursionError
there, and a 5,000-digit number a ValueError, which would be 500s. Ours answers 400
like any other unreadable body.
"""

from __future__ import annotations

import json
from typing import Any

import flask
import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request


class SafeJSONParser(FlaskParser):
    def _raw_load_json(self, req: flask.Request) -> Any:
        if not is_json_request(req):
            return core.missing
        try:
            return core.parse_json(req.get_data(cache=True))
        except RecursionError:
            error = json.JSONDecodeError("nested too deeply", "", 0)
            abort(400, exc=error, messages={"json": ["The JSON body is nested too deeply."]})
        except json.JSONDecodeError:
            raise  # webargs answers these itself (400)
        except ValueError:  # e.g. an integer past Python's 4,300-digit limit
            error = json.JSONDecodeError("number too long", "", 0)
            abort(400, exc=error, messages={"json": ["A number in the JSON body is too long."]})


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = SafeJSONParser()
