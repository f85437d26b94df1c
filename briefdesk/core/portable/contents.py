"""What an export holds, what it leaves out and why, and what an "empty" database may hold.

Plain data, read by the exporter and the importer (dump.py, load.py) and stated in
docs/export.md. Every table of every installed app is exported, row for row with its primary
key, except those named here: derived data the import rebuilds, rows `migrate` makes in every
database (read by natural key instead), operational queues, and credentials.
"""

from __future__ import annotations

# Model label -> why it is not exported. Anything not listed is exported.
SKIPPED: dict[str, str] = {
    "contenttypes.contenttype": "made by migrate; rows refer to it by (app, model)",
    "auth.permission": "made by migrate; rows refer to it by (codename, app, model)",
    "sessions.session": "logins do not move: everyone signs in again",
    "wagtailcore.apitoken": "a credential: make new API tokens on the new site",
    "wagtailcore.uploadedfile": "an upload in progress in the admin",
    "wagtailadmin.editingsession": "who has an editor open right now",
    "wagtailadmin.formstate": "unsaved admin form state",
    "wagtailimages.rendition": "resized images, made again on first view",
    "wagtailsearch.indexentry": "the admin search index: rebuilt by the import",
    "wagtailsearch.sqliteftsindexentry": "the admin search index (SQLite): rebuilt",
    "briefdesk_search.searchchange": "the public search index's change log: rebuilt",
    "django_tasks_database.dbtaskresult": "the background job queue",
    "core.scheduledrun": "the scheduler's bookkeeping on this machine",
}

# The user model's field that is never exported: imported users get unusable passwords.
PASSWORD_FIELD = "password"

# What `migrate` and `briefdesk init` (without --admin) leave in a new database. The import
# accepts a database holding only these, and replaces them with the export's rows.
SEEDED: frozenset[str] = frozenset(
    {
        "wagtailcore.page",
        "wagtailcore.revision",
        "wagtailcore.pagelogentry",
        "wagtailcore.modellogentry",
        "wagtailcore.referenceindex",
        "wagtailcore.site",
        "wagtailcore.locale",
        "wagtailcore.collection",
        "wagtailcore.groupcollectionpermission",
        "wagtailcore.grouppagepermission",
        "wagtailcore.groupsitepermission",
        "wagtailcore.workflow",
        "wagtailcore.task",
        "wagtailcore.groupapprovaltask",
        "wagtailcore.groupapprovaltask_groups",
        "wagtailcore.workflowtask",
        "wagtailcore.workflowpage",
        "wagtailcore.workflowcontenttype",
        "auth.group",
        "auth.group_permissions",
        "core.citationorigin",
        "core.homepage",
        "briefs.briefindexpage",
        "briefs.authorindexpage",
        "topics.topicindexpage",
    }
)

# Page types an empty site may have: Wagtail's root and placeholder, init_site's skeleton.
SKELETON_PAGES: frozenset[str] = frozenset(
    {
        "wagtailcore.page",
        "core.homepage",
        "briefs.briefindexpage",
        "briefs.authorindexpage",
        "topics.topicindexpage",
    }
)

# What the import rebuilds after loading, in order (load.py does each).
REBUILT: tuple[str, ...] = (
    "database sequences (PostgreSQL): the next id after the highest imported",
    "the Site and stored citations follow this site's BRIEFDESK_BASE_URL (as after migrate)",
    "the admin search index (Wagtail's update_index)",
    "the public search index under the data directory",
    "every cache: the page cache and Django's cache are purged",
)
