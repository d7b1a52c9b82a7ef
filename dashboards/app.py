"""ESM Warehouse dashboards: routes only."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `streamlit run` does not install the project

from dashboards.i18n import language_switch, t  # noqa: E402

st.set_page_config(page_title="ESM Warehouse", page_icon="📊", layout="wide")
language_switch()
pages = [st.Page("pages/home.py", title=t("page_home"), icon="🏢", default=True)]
st.navigation(pages).run()
