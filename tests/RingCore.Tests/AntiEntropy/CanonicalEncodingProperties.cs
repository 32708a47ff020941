using System.Text;
using FsCheck;
using FsCheck.Fluent;
using RingCore.Causality;
using RingCore.Replication;
using RingCore.Tests.Causality;

namespace RingCore.Tests.AntiEntropy;

/// <summary>
/// Anti-entropy compares replicas by the hash of their stored bytes (issue 14: "check that equal
/// sibling sets encode to equal bytes"), so two replicas that hold the same sibling set must
/// hold the same bytes, or they would repair each other forever. Over random histories of
/// coordinated puts on three replicas (with and without a read's context, in ordinary and in
/// last-write-wins buckets, with a coarse clock and few payloads so equal values and equal
/// timestamps are common), replica puts between them, and, in some histories, replica puts that
/// carry a client's anonymous value: sets that are equal encode to the same bytes; merge(a, b)
/// and merge(b, a) encode alike; one exchange (each side merges the asker's merge, as
/// AntiEntropyService repairs) leaves both sides with the same bytes; and exchanges round a ring
/// of the replicas settle with every replica holding the same bytes, the same whatever the order
/// for sibling merges of dotted sets.
/// </summary>
public sealed class CanonicalEncodingProperties
{
    private const int Replicas = 3;

    /// <summary>Rounds of exchanges after which replicas must agree: each exchange that changes anything leaves its two sides equal.</summary>
    private const int MaxRounds = 2 * Replicas;

    private static readonly IEqualityComparer<ReadOnlyMemory<byte>> Bytes = ByteValueComparer.Instance;

    private static Gen<History> Histories { get; } =
        from ids in CausalityTestData.DistinctIds(Replicas)
        from lastWriteWins in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true)))
        from anonymous in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from length in Gen.Choose(1, 30)
        from steps in Gen.ArrayOf(StepsOf(anonymous && !lastWriteWins), length)
        from first in Gen.Shuffle(Enumerable.Range(0, Replicas))
        from second in Gen.Shuffle(Enumerable.Range(0, Replicas))
        select new History(ids, lastWriteWins, steps, [.. first], [.. second]);

    private static Gen<Step> StepsOf(bool anonymous) =>
        from kind in anonymous
            ? Gen.Frequency((4, Gen.Constant(StepKind.Put)), (3, Gen.Constant(StepKind.ReplicaPut)), (2, Gen.Constant(StepKind.AnonymousReplicaPut)))
            : Gen.Frequency((4, Gen.Constant(StepKind.Put)), (3, Gen.Constant(StepKind.ReplicaPut)))
        from replica in Gen.Choose(0, Replicas - 1)
        from other in Gen.Choose(0, Replicas - 1)
        from context in Gen.Choose(-1, Replicas - 1)
        from payload in Gen.Choose(0, 2)
        from timestamp in Gen.Choose(0, 2)
        from tombstone in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new Step(kind, replica, other, context, payload, timestamp, tombstone);

    /// <summary>A history and two sets it produced, picked by index.</summary>
    private static Gen<(History History, int A, int B)> HistoryAndTwoSets { get; } =
        from history in Histories
        from a in Gen.Choose(0, int.MaxValue)
        from b in Gen.Choose(0, int.MaxValue)
        select (history, a, b);

    [RingProperty]
    public Property Equal_sets_reached_by_different_histories_encode_to_the_same_bytes()
    {
        return Prop.ForAll(Histories.ToArbitrary(), history =>
        {
            var run = history.Replay();

            // Every set seen, then the replicas brought together in two different orders.
            var sets = new List<SiblingSet<ReadOnlyMemory<byte>>>(run.Seen);
            sets.AddRange(run.Converge(history.FirstOrder));
            sets.AddRange(run.Converge(history.SecondOrder));
            var encoded = sets.Select(SiblingSetCodec.Encode).ToList();
            for (int i = 0; i < sets.Count; i++)
            {
                for (int j = i + 1; j < sets.Count; j++)
                {
                    CausalityTestData.Require(!sets[i].Equals(sets[j], Bytes) || encoded[i].AsSpan().SequenceEqual(encoded[j]),
                        $"equal sets encode differently: {Show(sets[i])} and {Show(sets[j])} ({history})");
                }
            }

            return true;
        });
    }

    [RingProperty]
    public Property Exchanges_in_any_order_leave_every_replica_with_the_same_bytes()
    {
        return Prop.ForAll(Histories.ToArbitrary(), history =>
        {
            var run = history.Replay();
            var first = run.Converge(history.FirstOrder);
            var bytes = SiblingSetCodec.Encode(first[0]);
            foreach (var set in first)
            {
                CausalityTestData.Require(SiblingSetCodec.Encode(set).AsSpan().SequenceEqual(bytes),
                    $"after {MaxRounds} rounds of exchanges, {Show(set)} is stored next to {Show(first[0])} ({history})");
            }

            // Sibling merges of sets whose values all carry dots are a join, so any order of
            // exchanges reaches the same set. Not so with anonymous values (dvvset keeps those of
            // the strictly newer side only, so an exchange order can drop one another keeps), nor
            // last-write-wins merges (they pick one side, and a causally newer set can lose to an
            // older one's timestamp, so which one wins may depend on the order).
            var second = run.Converge(history.SecondOrder);
            CausalityTestData.Require(history.LastWriteWins || history.HasAnonymousValues || second.All(set => SiblingSetCodec.Encode(set).AsSpan().SequenceEqual(bytes)),
                $"exchanges in another order ended with {Show(second[0])} instead of {Show(first[0])} ({history})");
            return true;
        });
    }

    [RingProperty]
    public Property Merging_a_with_b_and_b_with_a_encode_alike()
    {
        return Prop.ForAll(HistoryAndTwoSets.ToArbitrary(), input =>
        {
            var run = input.History.Replay();
            var a = run.Seen[input.A % run.Seen.Count];
            var b = run.Seen[input.B % run.Seen.Count];
            bool lastWriteWins = input.History.LastWriteWins;

            var ab = SiblingMerge.Merge(a, b, lastWriteWins);
            var ba = SiblingMerge.Merge(b, a, lastWriteWins);
            CausalityTestData.Require(SiblingSetCodec.Encode(ab).AsSpan().SequenceEqual(SiblingSetCodec.Encode(ba)),
                $"merge(a, b) = {Show(ab)} but merge(b, a) = {Show(ba)} for a = {Show(a)}, b = {Show(b)} ({(lastWriteWins ? "last write wins" : "siblings")})");
            return true;
        });
    }

    [RingProperty]
    public Property One_exchange_leaves_both_replicas_with_the_same_bytes()
    {
        return Prop.ForAll(HistoryAndTwoSets.ToArbitrary(), input =>
        {
            var run = input.History.Replay();
            var local = run.Seen[input.A % run.Seen.Count];
            var remote = run.Seen[input.B % run.Seen.Count];
            var stored = new[] { local, remote };
            run.Exchange(stored, 0, 1);
            CausalityTestData.Require(SiblingSetCodec.Encode(stored[0]).AsSpan().SequenceEqual(SiblingSetCodec.Encode(stored[1])),
                $"after an exchange one side holds {Show(stored[0])} and the other {Show(stored[1])}; " +
                $"before, {Show(local)} and {Show(remote)} ({(input.History.LastWriteWins ? "last write wins" : "siblings")})");
            return true;
        });
    }

    private static string Show(SiblingSet<ReadOnlyMemory<byte>> set) =>
        set.Map(value => $"{(ReplicaValue.IsTombstone(value) ? "tombstone " : "")}{Encoding.ASCII.GetString(ReplicaValue.Payload(value).Span)}@{ReplicaValue.Timestamp(value)}").ToString();

    private enum StepKind
    {
        /// <summary>A client's put coordinated by <see cref="Step.Replica"/> (VNode.CoordinatePutAsync).</summary>
        Put,

        /// <summary><see cref="Step.Replica"/> merges the set <see cref="Step.Other"/> holds (VNode.ReplicaPutAsync).</summary>
        ReplicaPut,

        /// <summary>
        /// <see cref="Step.Replica"/> merges a client's write that no replica gave a dot: a replica
        /// put carrying an anonymous value, which the replica request path accepts.
        /// </summary>
        AnonymousReplicaPut,
    }

    /// <summary>One step; <c>Context</c> is the replica whose set the client read first (its causal context), or -1 for none.</summary>
    private sealed record Step(StepKind Kind, int Replica, int Other, int Context, int Payload, int Timestamp, bool Tombstone);

    private sealed record History(ReplicaId[] Ids, bool LastWriteWins, Step[] Steps, int[] FirstOrder, int[] SecondOrder)
    {
        public Run Replay()
        {
            var run = new Run(this);
            foreach (var step in Steps)
            {
                run.Apply(step);
            }

            return run;
        }

        public bool HasAnonymousValues => Steps.Any(step => step.Kind == StepKind.AnonymousReplicaPut);

        public override string ToString() =>
            $"{(LastWriteWins ? "last write wins" : "siblings")}, steps: {string.Join("; ", Steps.Select(step => step.ToString()))}";
    }

    /// <summary>Three replicas' sets of one key as a history's steps change them, and every set they held.</summary>
    private sealed class Run(History history)
    {
        private readonly SiblingSet<ReadOnlyMemory<byte>>[] _stored = [.. Enumerable.Repeat(SiblingSet<ReadOnlyMemory<byte>>.Empty, Replicas)];

        public List<SiblingSet<ReadOnlyMemory<byte>>> Seen { get; } = [SiblingSet<ReadOnlyMemory<byte>>.Empty];

        public void Apply(Step step)
        {
            var value = ReplicaValue.Create(Encoding.ASCII.GetBytes($"v{step.Payload}"), step.Timestamp, step.Tombstone);
            var context = step.Context < 0 ? VersionVector.Empty : _stored[step.Context].Join();
            var stored = _stored[step.Replica];
            _stored[step.Replica] = step.Kind switch
            {
                StepKind.Put => Coordinate(stored, context, value, history.Ids[step.Replica]),
                StepKind.ReplicaPut => SiblingMerge.Merge(stored, _stored[step.Other], history.LastWriteWins),
                _ => SiblingMerge.Merge(stored, SiblingSet.New(context, value), history.LastWriteWins),
            };
            Seen.Add(_stored[step.Replica]);
        }

        /// <summary>
        /// The replicas' sets after anti-entropy exchanges between neighbours in <paramref name="order"/>
        /// (a ring of the three), round after round until an exchange changes nothing (at most
        /// <see cref="MaxRounds"/>); the history's own state is left as it was.
        /// </summary>
        public SiblingSet<ReadOnlyMemory<byte>>[] Converge(int[] order)
        {
            var stored = (SiblingSet<ReadOnlyMemory<byte>>[])_stored.Clone();
            for (int round = 0; round < MaxRounds; round++)
            {
                bool changed = false;
                for (int i = 0; i < order.Length; i++)
                {
                    changed |= Exchange(stored, order[i], order[(i + 1) % order.Length]);
                }

                if (!changed)
                {
                    break;
                }
            }

            return stored;
        }

        /// <summary>
        /// As AntiEntropyService's exchange: the asker merges both sides, then each side whose
        /// bytes differ from the result merges the result into what it holds (VNode.ReplicaPutAsync).
        /// True when a side's bytes changed.
        /// </summary>
        public bool Exchange(SiblingSet<ReadOnlyMemory<byte>>[] stored, int local, int remote)
        {
            var merged = SiblingSetCodec.Encode(SiblingMerge.Merge(stored[local], stored[remote], history.LastWriteWins));
            bool changed = false;
            foreach (int side in (int[])[local, remote])
            {
                var before = SiblingSetCodec.Encode(stored[side]);
                if (!before.AsSpan().SequenceEqual(merged))
                {
                    stored[side] = SiblingMerge.Merge(stored[side], SiblingSetCodec.Decode(merged), history.LastWriteWins);
                    changed |= !SiblingSetCodec.Encode(stored[side]).AsSpan().SequenceEqual(before);
                }
            }

            return changed;
        }

        // VNode.CoordinatePutAsync: in a last-write-wins bucket the write supersedes everything held.
        private SiblingSet<ReadOnlyMemory<byte>> Coordinate(SiblingSet<ReadOnlyMemory<byte>> stored, VersionVector context,
            ReadOnlyMemory<byte> value, ReplicaId replica)
        {
            var clientWrite = history.LastWriteWins ? SiblingSet.New(context.Merge(stored.Join()), value) : SiblingSet.New(context, value);
            return SiblingSet.Update(clientWrite, stored, replica, Bytes);
        }
    }
}
