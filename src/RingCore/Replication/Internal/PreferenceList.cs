using RingCore.Membership;
using RingCore.Preference;

namespace RingCore.Replication;

/// <summary>
/// A request's annotated preference list, read in place from its routing view's table: the
/// request keeps the view, so the list is the one it started with, and nothing is copied.
/// </summary>
internal readonly struct PreferenceList(RoutingView view, ReadOnlyMemory<PreferenceEntry> entries)
{
    public int Length => entries.Length;

    /// <summary>Entry <paramref name="index"/>: the member's name, and whether it is a primary (else a fallback).</summary>
    public (string Member, bool Primary) this[int index]
    {
        get
        {
            var entry = entries.Span[index];
            return (view.NameOf(entry.Member), entry.IsPrimary);
        }
    }

    public bool Contains(string member)
    {
        foreach (var entry in entries.Span)
        {
            if (view.NameOf(entry.Member) == member)
            {
                return true;
            }
        }

        return false;
    }
}
