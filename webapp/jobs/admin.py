from django.contrib import admin

from webapp.jobs.models import Compare, Job, JobPoint


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "attempt", "graph", "edge", "owner", "reused", "created", "finished"]
    list_filter = ["status", "reused"]
    raw_id_fields = [
        "edge",
        "graph",
        "category_module",
        "task_module",
        "teacher_task_module",
        "adapter",
        "owner",
        "compare",
    ]


@admin.register(JobPoint)
class JobPointAdmin(admin.ModelAdmin):
    list_display = ["id", "job", "step"]
    raw_id_fields = ["job"]


@admin.register(Compare)
class CompareAdmin(admin.ModelAdmin):
    list_display = ["id", "graph", "edge", "methods", "seeds", "samples", "steps", "owner", "created"]
    raw_id_fields = ["graph", "edge", "owner"]
