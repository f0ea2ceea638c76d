from django.contrib import admin

from webapp.catalog.models import Module, ModuleParent, Teacher


class ModuleParentInline(admin.TabularInline):
    model = ModuleParent
    fk_name = "child"
    extra = 0
    raw_id_fields = ["parent"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "name",
        "kind",
        "category",
        "task",
        "architecture",
        "owner",
        "visibility",
        "created",
    ]
    list_filter = ["kind", "visibility", "architecture", "task"]
    search_fields = ["name", "description", "category", "sha256"]
    raw_id_fields = ["owner", "teacher"]
    inlines = [ModuleParentInline]


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ["id", "key", "architecture", "category", "created"]
    search_fields = ["key"]
