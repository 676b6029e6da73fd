"""Names of the groups that carry the portal's permissions (created by a
migration), so a new user only needs to be put in a group."""

COORDINATORS_GROUP = "Coordinators"
ADVISORS_GROUP = "Advisors"
