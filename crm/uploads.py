"""Upload handlers: Django's, but a large upload's temporary file never outlives a failure."""

from django.core.files import uploadhandler


class TemporaryFileUploadHandler(uploadhandler.TemporaryFileUploadHandler):
    """Django's, which also deletes its temporary file when writing it fails (a full disk).

    Otherwise the file stays until the failed request's traceback is collected, and
    longer where something keeps it (a log record): on a disk that is already full.
    """

    def receive_data_chunk(self, raw_data, start):
        try:
            return super().receive_data_chunk(raw_data, start)
        except OSError:
            self.file.close()  # a NamedTemporaryFile: closing it deletes it
            raise

    def file_complete(self, file_size):
        try:
            return super().file_complete(file_size)
        except OSError:  # the last buffered bytes, written now
            self.file.close()
            raise
