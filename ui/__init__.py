"""The planner's Streamlit pages: thin views over the core (`planner.*`), one module per page."""
