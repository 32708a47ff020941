using System.Diagnostics;
using RingCore.Preference;
using RingCore.Ring;

namespace RingCore.Membership;

/// <summary>
/// What a node routes by at one moment: one ring version and one view of which members are up
/// (an epoch of the <see cref="NodeWatcher"/>), with the annotated preference tables built for
/// them. Immutable: a request takes one view and routes by it from start to end, so it never
/// mixes two rings or two views (docs/architecture.md, the node runtime).
/// </summary>
/// <remarks>
/// The tables are the cache per (ring version, N, epoch) the design asks for: each view builds
/// the table of an N the first time a request needs it and keeps it, and a new view starts with
/// none. Building costs O(Q·N) and happens once per ring or up/down change, off the hot path.
/// </remarks>
internal sealed class RoutingView
{
    private readonly bool[] _up;
    private readonly AnnotatedPreferenceTable?[] _tables;
    private readonly string[] _names;

    internal RoutingView(RingState ring, string self, bool[] up, long epoch, int maxN)
    {
        Debug.Assert(up.Length == ring.Members.Length, "One up flag per member of the ring.");
        Ring = ring;
        Self = self;
        _up = up;
        Epoch = epoch;
        _tables = new AnnotatedPreferenceTable?[maxN + 1];
        MaxN = maxN;
        _names = new string[ring.Members.Length];
        for (int i = 0; i < _names.Length; i++)
        {
            _names[i] = ring.Members[i].Name;
        }
    }

    /// <summary>The ring of this view.</summary>
    public RingState Ring { get; }

    /// <summary>This node's name.</summary>
    public string Self { get; }

    /// <summary>The watcher's epoch this view was made in: it moves on every up/down change.</summary>
    public long Epoch { get; }

    /// <summary>The largest N a preference list of this view may have (the ring's target_n).</summary>
    public int MaxN { get; }

    /// <summary>How many members are up in this view (this node included).</summary>
    public int UpCount
    {
        get
        {
            int count = 0;
            foreach (bool up in _up)
            {
                count += up ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>The name of member <paramref name="index"/> of <see cref="Ring"/>.</summary>
    public string NameOf(int index) => _names[index];

    /// <summary>Whether <paramref name="member"/> is up in this view (this node always is).</summary>
    public bool IsUp(string member)
    {
        int index = Ring.IndexOfMember(member);
        return index >= 0 && _up[index];
    }

    /// <summary>The annotated preference list of <paramref name="partition"/> for <paramref name="n"/> replicas: up primaries, then fallbacks.</summary>
    public ReadOnlySpan<PreferenceEntry> PreferenceList(int partition, int n) => TableFor(n).ForPartition(partition);

    /// <summary>The annotated preference list of <paramref name="partition"/> as memory a request can keep for its whole run (no copy).</summary>
    internal ReadOnlyMemory<PreferenceEntry> PreferenceListMemory(int partition, int n) => TableFor(n).ForPartitionMemory(partition);

    /// <summary>The name of the primary owner of the <paramref name="index"/>th replica of <paramref name="partition"/>, up or not.</summary>
    public string PrimaryOf(int partition, int index) => _names[Ring.OwnerOf((partition + index) & (Ring.PartitionCount - 1))];

    /// <summary>The annotated table for <paramref name="n"/> replicas, built on first use in this view.</summary>
    public AnnotatedPreferenceTable TableFor(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, MaxN);
        var table = Volatile.Read(ref _tables[n]);
        if (table is not null)
        {
            return table;
        }

        // Two requests may build it at once; both tables are equal, and the first one stays.
        table = AnnotatedPreferenceTable.Build(Ring, n, _up);
        return Interlocked.CompareExchange(ref _tables[n], table, null) ?? table;
    }
}
