from django.urls import path

from sharing.subject_access import web

urlpatterns = [
    path("my-listing/", web.subject_start, name="subject-start"),
    path("my-listing/code/", web.subject_code, name="subject-code"),
    path("my-listing/statement/", web.subject_statement, name="subject-statement"),
    path("my-listing/appeal/", web.subject_appeal, name="subject-appeal"),
    path("my-listing/correction/", web.subject_rectification, name="subject-rectification"),
    path("my-listing/export.json", web.subject_export_download, name="subject-export"),
]
