from django.contrib import admin

from webapp.datasets.models import Dataset


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "task", "owner", "visibility", "file_count", "created"]
    list_filter = ["task", "visibility"]
    search_fields = ["name", "description", "sha256"]
    raw_id_fields = ["owner"]
