"""What wirewall's feature rows and model classes are (models/FEATURES.md,
lib/feat/ww_feat.h): one place for the scripts that read rows, make
labelled traffic, train models or evaluate them."""

SPEC_ID = 0x57460001  # the feature specification a model file names
N_FEATURES = 89
# The columns `wirewall --features` writes before the features.
META_COLUMNS = ["time", "flow_id", "dp_name", "client", "client_port", "server",
                "server_port"]
META = len(META_COLUMNS)
# Class label = index (enum ww_feat_class).
CLASSES = ["benign", "flood", "syn_flood", "scan", "web_attack",
           "content_discovery", "brute_force", "slow_dos"]
