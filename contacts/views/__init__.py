"""The contacts app's pages, one module per part of the product."""

from contacts.bulk.views import bulk_job, bulk_skipped, bulk_undo, contact_bulk
from contacts.exports.views import contact_export_csv, contact_export_vcard, contact_vcard
from contacts.imports.views import (
    import_cancel,
    import_detail,
    import_list,
    import_mapping,
    import_new,
    import_preview,
    import_progress,
    import_rejected,
    import_resume,
    import_settings,
    import_undo,
)
from contacts.merging.views import contact_merge, duplicate_list
from contacts.photos.views import photo_candidates, photo_change
from contacts.positions.views import (
    position_add,
    position_end,
    position_primary,
    position_remove,
)
from contacts.relations.views import relation_add, relation_remove
from contacts.trash.views import (
    trash_list,
    trash_purge,
    trash_purge_selected,
    trash_restore,
    trash_restore_selected,
)
from contacts.views.lists import contact_list
from contacts.views.notifications import notification_list, notification_read
from contacts.views.pages import (
    company_link_person,
    contact_create,
    contact_delete,
    contact_detail,
    contact_edit,
    contact_history,
    contact_photo,
    suggest,
)

__all__ = [
    "bulk_job",
    "bulk_skipped",
    "bulk_undo",
    "contact_bulk",
    "company_link_person",
    "contact_create",
    "contact_delete",
    "contact_detail",
    "contact_edit",
    "contact_export_csv",
    "contact_export_vcard",
    "contact_history",
    "contact_list",
    "contact_merge",
    "duplicate_list",
    "contact_photo",
    "contact_vcard",
    "position_add",
    "position_end",
    "position_primary",
    "position_remove",
    "import_cancel",
    "import_detail",
    "import_list",
    "import_mapping",
    "import_new",
    "import_preview",
    "import_progress",
    "import_rejected",
    "import_resume",
    "import_settings",
    "import_undo",
    "notification_list",
    "notification_read",
    "photo_candidates",
    "photo_change",
    "relation_add",
    "relation_remove",
    "suggest",
    "trash_list",
    "trash_purge",
    "trash_purge_selected",
    "trash_restore",
    "trash_restore_selected",
]
