using System.Text;
using RingCore.AntiEntropy;
using RingCore.Causality;
using RingCore.Node;
using RingCore.Replication;
using RingCore.TestKit.Checking;
using RingCore.Transport;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// The anti-entropy facet of a run (issue 14): the store damage step, and the final check of an
/// anti-entropy run, which does no repair reads: after healing and restarting, it waits in
/// virtual time until every key's primaries each hold the merge of all its replicas, within a
/// bound, and then reads the final state as any other run does.
/// </summary>
/// <remarks>
/// <para>Hinted handoff stays on: anti-entropy exchanges trees between the primaries of a
/// preference list only (riak_kv's exchanges are between primaries too), so a write that only
/// fallbacks took during a partition reaches its primaries through handoff, never through an
/// exchange. Read repair is what the run leaves out: the final check reads no key through the
/// nodes before the primaries have converged (it reads the stores beneath them). The schedule's
/// own last reads may still repair a replica or two just after the heal (a get repairs once all
/// replicas answered or its timeout passed); <see cref="AntiEntropyFigures.ReadRepairsWhileWaiting"/>
/// counts them, and the run with anti-entropy off shows that they do not converge the primaries.</para>
/// <para>The bound is four exchange intervals from the heal, plus the tree rebuild interval when
/// the damaged node stayed up since its damage. A node's trees see damage beneath it only when
/// built from its store: at its start (the damaged node was down, or restarted since), or at the
/// first round at least <see cref="TreeRebuildInterval"/> after its last build, which is at most
/// one interval past the rebuild interval after the heal. Of the four intervals, one lets the
/// failure detectors see the restarted nodes up and hinted handoff (every 10 s) hand the
/// fallbacks' writes back; one is a round that may find a tree being built, or started before
/// the peers were up, and skip it; and two are rounds of exchanges: each pair of primaries
/// exchanges once a round, in no set order, so the third primary of a key can need a second round
/// to get what the first two merged.</para>
/// </remarks>
public static partial class ScheduleRunner
{
    /// <summary>
    /// The tree rebuild interval of an anti-entropy run (the default is 7 days; the least allowed
    /// is 1 minute): short enough that a node that stays up sees damage beneath it within the
    /// run, long enough that the trees are rebuilt from a store nobody writes any more.
    /// </summary>
    public static readonly TimeSpan TreeRebuildInterval = TimeSpan.FromMinutes(2);

    /// <summary>How often the final check of an anti-entropy run looks at the replicas while it waits.</summary>
    private static readonly TimeSpan ConvergencePoll = TimeSpan.FromSeconds(1);

    /// <summary>The anti-entropy settings of the run's nodes: the defaults, on unless the options turn it off, rebuilt every <see cref="TreeRebuildInterval"/> in an anti-entropy run.</summary>
    private static AntiEntropyOptions AntiEntropySettings(Schedule schedule, ScheduleRunOptions options)
    {
        var settings = new AntiEntropyOptions { Enabled = options.AntiEntropy };
        if (schedule.AntiEntropy)
        {
            settings.TreeRebuildInterval = TreeRebuildInterval;
        }

        return settings;
    }

    private sealed partial class ScheduleRun
    {
        // The incarnations that were up when their store was damaged: until they restart, only a
        // tree rebuild shows them the damage.
        private readonly List<RingNode> _damagedWhileUp = [];
        private readonly List<(string Node, DamagedObject Object)> _damaged = [];
        private AntiEntropyFigures _antiEntropy = new();

        /// <summary>Damages the step's node's stores beneath it, the node up or down, and records what was damaged.</summary>
        private async Task DamageAsync(int index, ScheduleStep step)
        {
            bool down = Cluster.Network.IsCrashed(step.Node);
            if (!down)
            {
                // A node up for longer than an exchange interval has built the trees of its
                // partitions (the first round after a store opens builds them), and a vnode
                // whose trees hold a key its store lacks knows the key was lost beneath it. The
                // schedules last seconds, less than one interval: the node builds them now.
                await Cluster.Node(step.Node).BuildTreesAsync();
                _damagedWhileUp.Add(Cluster.Node(step.Node));
            }

            var at = simulator.Time.Elapsed;
            var damaged = await Cluster.DamageStoresAsync(step.Node, step.DamageFraction, unchecked((schedule.Seed * 397) ^ index), step.Damage);
            _damaged.AddRange(damaged.Select(damage => (step.Node, damage)));
            _antiEntropy = _antiEntropy with
            {
                DamagedNode = step.Node,
                DamagedAt = at,
                DamagedWhileDown = down,
                ObjectsDeleted = _antiEntropy.ObjectsDeleted + damaged.Count(d => d.Damage == StoreDamage.Delete),
                ObjectsCorrupted = _antiEntropy.ObjectsCorrupted + damaged.Count(d => d.Damage == StoreDamage.Corrupt),
            };
        }

        /// <summary>
        /// The final check of an anti-entropy run: heal, restart every crashed node, wait (no
        /// reads) until every key's primaries hold the merge of its replicas or the bound passes,
        /// then read the final state of every key and actor.
        /// </summary>
        private async Task SettleAntiEntropyAsync()
        {
            Cluster.Network.Faults = NetworkFaults.None;
            Cluster.Heal();
            int stillDamaged = 0;
            foreach (var (node, damaged) in _damaged)
            {
                stillDamaged += await Cluster.IsStillDamagedAsync(node, damaged) ? 1 : 0;
            }

            _antiEntropy = _antiEntropy with { ObjectsDamagedAtHeal = stillDamaged };
            foreach (var node in Cluster.Members)
            {
                if (Cluster.Network.IsCrashed(node))
                {
                    Cluster.Restart(node);
                }
            }

            var settings = AntiEntropySettings(schedule, options);
            bool rebuildNeeded = _damagedWhileUp.Any(incarnation => ReferenceEquals(Cluster.Node(incarnation.Name), incarnation));
            var bound = 4 * settings.ExchangeInterval + (rebuildNeeded ? settings.TreeRebuildInterval : TimeSpan.Zero);
            var healed = simulator.Time.Elapsed;
            long readRepairs = Cluster.Metrics.Count("ringcore.read_repairs");
            try
            {
                await Cluster.AwaitDetectionAsync(bound); // the probes after the wait go through routes that see every node up
            }
            catch (TimeoutException error)
            {
                Violations.Add($"liveness: {error.Message}");
            }

            var (keys, actors) = KeysAndActors();
            string? lagging;
            while ((lagging = await LaggingAsync(keys, actors)) is not null && simulator.Time.Elapsed - healed < bound)
            {
                await simulator.Delay(ConvergencePoll);
            }

            _antiEntropy = _antiEntropy with
            {
                Bound = bound,
                ConvergedAfter = lagging is null ? simulator.Time.Elapsed - healed : null,
                ReadRepairsWhileWaiting = Cluster.Metrics.Count("ringcore.read_repairs") - readRepairs,
            };
            if (lagging is not null)
            {
                Violations.Add($"anti-entropy: the primaries had not converged {bound.TotalSeconds:0} s after the heal: {lagging}");
            }

            foreach (var key in keys)
            {
                await ReadEverywhereAsync(key);
            }

            foreach (var key in actors)
            {
                await ReadActorAsync(key);
            }
        }

        /// <summary>
        /// The first key (of bucket "b", then of the actors) one of whose primaries does not hold
        /// the merge of every replica on every node, fallbacks included, in words; null when none.
        /// Stores are read beneath the nodes: waiting reads nothing through them.
        /// </summary>
        private async Task<string?> LaggingAsync(IReadOnlyList<string> keys, IReadOnlyList<string> actors)
        {
            foreach (var (bucket, key) in keys.Select(key => (Bucket, key)).Concat(actors.Select(actor => (options.Workload.TypeName, actor))))
            {
                var keyBytes = Encoding.UTF8.GetBytes(key);
                SiblingSet<ReadOnlyMemory<byte>>? merged = null;
                foreach (var node in Cluster.Nodes)
                {
                    if (await Cluster.StoredSetAsync(node, bucket, keyBytes) is { } held)
                    {
                        merged = merged is null ? held : SiblingMerge.Merge(merged, held, options.Bucket.LastWriteWins);
                    }
                }

                foreach (var primary in Primaries(bucket, keyBytes).Distinct())
                {
                    var held = await Cluster.StoredSetAsync(primary, bucket, keyBytes);
                    bool same = merged is null ? held is null : held is not null && held.Equals(merged, ByteValueComparer.Instance);
                    if (!same)
                    {
                        return bucket == Bucket
                            ? $"{bucket}/{key}: primary {primary} holds {Describe(held)}, the merge of every replica is {Describe(merged)}"
                            : $"actor {key}: primary {primary} holds {Versions(held)}, the merge of every replica {Versions(merged)}";
                    }
                }
            }

            return null;
        }

        /// <summary>What anti-entropy did in the run, from the cluster's counters, with the damage and the wait of an anti-entropy run.</summary>
        public AntiEntropyFigures AntiEntropyFigures()
        {
            var metrics = Cluster.Metrics;
            return _antiEntropy with
            {
                ExchangesEqual = metrics.Count("ringcore.aae.exchanges", null, "equal"),
                ExchangesRepaired = metrics.Count("ringcore.aae.exchanges", null, "repaired"),
                ExchangesSkipped = metrics.Count("ringcore.aae.exchanges", null, "skipped"),
                ExchangesFailed = metrics.Count("ringcore.aae.exchanges", null, "failed"),
                KeysRepaired = metrics.Count("ringcore.aae.keys_repaired"),
                Bytes = metrics.Count("ringcore.aae.bytes"),
                TreesBuilt = metrics.Count("ringcore.aae.trees_built"),
                CorruptObjectsRead = metrics.Count("ringcore.store.corrupt_objects"),
            };
        }

        private static string Versions(SiblingSet<ReadOnlyMemory<byte>>? set) => set is null ? "nothing" : $"{set.Count} versions";
    }
}
