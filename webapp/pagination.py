"""Page-number pagination shared by every list endpoint."""

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """``?page=N&page_size=M`` with 24 a page by default and 200 at most."""

    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema):
        """DRF's page schema, with ``next`` and ``previous`` listed as always there (null at the ends)."""
        page = super().get_paginated_response_schema(schema)
        return {**page, "required": ["count", "next", "previous", "results"]}
