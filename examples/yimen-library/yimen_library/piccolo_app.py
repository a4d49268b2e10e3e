from pathlib import Path

from piccolo.conf.apps import AppConfig

from yimen_library.tables import Book, Loan, Reader

APP_CONFIG = AppConfig(
    app_name="library",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=[Book, Loan, Reader],
)
