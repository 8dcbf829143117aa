"""briefgen: policy briefs from YAML content to branded PDF and Word documents."""

__version__ = "0.1.0"
