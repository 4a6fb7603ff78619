"""The shared vocabulary at the bottom of the project: languages and CEFR levels, the
grammar mistake taxonomy. Every package may import it; it imports no project package."""
