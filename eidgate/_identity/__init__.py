"""The person: claim normalisation across eIDs, claim profiles (data), claim values,
national identity numbers (data), levels of assurance, and the ``Identity`` value.

Knows nothing of the protocol or the web; stands only on the leaves. Private: the public
names are re-exported by ``eidgate``.
"""
