using System.Collections.Immutable;
using System.Runtime.InteropServices;
using RingCore.Causality;

namespace RingCore.Replication;

/// <summary>
/// What a quorum read returns (riak_kv_get_fsm's reply): every sibling value, tombstones
/// hidden, and the causal context to hand back on the next write of the key, which then
/// supersedes exactly these values.
/// </summary>
public sealed class GetResult
{
    internal GetResult(ImmutableArray<ReadOnlyMemory<byte>> values, CausalContext context)
    {
        Values = values;
        Context = context;
    }

    /// <summary>The live values of a stored set (tombstones hidden; the newest only, for last-write-wins) and the context covering the whole set.</summary>
    internal static GetResult Of(SiblingSet<ReadOnlyMemory<byte>> merged, bool lastWriteWins)
    {
        ReadOnlyMemory<byte>[] values;
        if (lastWriteWins && merged.Count > 1)
        {
            var last = merged.Last(ReplicaValue.Timestamp);
            values = ReplicaValue.IsTombstone(last) ? [] : [ReplicaValue.Payload(last)];
        }
        else
        {
            // Counted first, so the array is exact and becomes the immutable array as it is.
            int live = 0;
            foreach (var value in merged.Values)
            {
                live += ReplicaValue.IsTombstone(value) ? 0 : 1;
            }

            values = live == 0 ? [] : new ReadOnlyMemory<byte>[live];
            int next = 0;
            foreach (var value in merged.Values)
            {
                if (!ReplicaValue.IsTombstone(value))
                {
                    values[next++] = ReplicaValue.Payload(value);
                }
            }
        }

        return new GetResult(ImmutableCollectionsMarshal.AsImmutableArray(values), CausalContext.Encode(merged.Join()));
    }

    /// <summary>True when the key has at least one live (not deleted) value.</summary>
    public bool Found => Values.Length > 0;

    /// <summary>The sibling values; one when there is no conflict, empty when not found.</summary>
    public ImmutableArray<ReadOnlyMemory<byte>> Values { get; }

    /// <summary>
    /// The causal context of the read. Pass it to the next put or delete of the key; it is
    /// meaningful even when nothing was found (it then covers the deletes the read saw).
    /// </summary>
    public CausalContext Context { get; }
}
