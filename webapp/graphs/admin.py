from django.contrib import admin

from webapp.graphs.models import Edge, Graph, GraphVersion, Node


class NodeInline(admin.TabularInline):
    model = Node
    extra = 0
    raw_id_fields = ["module"]


@admin.register(Graph)
class GraphAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "owner", "created", "updated"]
    search_fields = ["name"]
    raw_id_fields = ["owner"]
    inlines = [NodeInline]


@admin.register(Edge)
class EdgeAdmin(admin.ModelAdmin):
    list_display = ["id", "graph", "source", "target", "job"]
    raw_id_fields = ["graph", "source", "target", "job"]


@admin.register(GraphVersion)
class GraphVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "graph", "name", "created"]
    raw_id_fields = ["graph"]
