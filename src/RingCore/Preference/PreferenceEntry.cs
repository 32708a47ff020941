namespace RingCore.Preference;

/// <summary>
/// One replica in an annotated preference list: the partition (vnode) it serves and the member
/// that serves it. A fallback serves a down primary's partition and names that primary, so it
/// knows whom to hand the data back to (riak_core_apl's {Index, Node} with primary | fallback).
/// </summary>
/// <param name="Partition">The partition whose replica this is (for a fallback, the primary's partition).</param>
/// <param name="Member">The serving member, an index into the ring's members.</param>
/// <param name="StandsInFor">For a fallback, the down primary member it stands in for; -1 for a primary.</param>
public readonly record struct PreferenceEntry(int Partition, int Member, int StandsInFor)
{
    /// <summary>Whether this entry is a primary (the partition's owner) rather than a fallback.</summary>
    public bool IsPrimary => StandsInFor < 0;
}
