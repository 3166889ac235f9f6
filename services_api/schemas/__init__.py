"""Marshmallow schemas: what the API accepts (parameters, bodies) and the HSDS shapes it returns."""
