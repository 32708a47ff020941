using System.Text;
using RingCore.Actors;
using RingCore.Causality;
using RingCore.Hashing;
using RingCore.Replication;
using RingCore.TestKit.Checking;
using RingCore.TestKit.Simulation;
using RingCore.Transport;
using RingCore.Node;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// Runs a fault schedule on a simulated cluster in one seeded, single-threaded order with virtual
/// time (issue 5), records every client operation, then heals everything, restarts crashed nodes,
/// lets the cluster quiesce, reads every key at R=N so read repair runs, reads every replica on
/// every node, and hands the history to the <see cref="HistoryChecker"/>.
/// </summary>
/// <remarks>
/// A run without membership changes reads the final state from every node's replicas, fallbacks
/// included: the checker asks whether the cluster still holds each acknowledged write. A
/// membership run (<see cref="Schedule.Membership"/>) changes members while it runs, one change at
/// a time, then waits for the cluster to settle and reads each key from its primaries only
/// (ScheduleRunner.Membership.cs). An anti-entropy run (<see cref="Schedule.AntiEntropy"/>)
/// damages one node's stores beneath it during the schedule, and at the end does no repair reads:
/// it waits for anti-entropy to converge every key's primaries (ScheduleRunner.AntiEntropy.cs).
/// </remarks>
public static partial class ScheduleRunner
{
    /// <summary>The bucket the clients' keys live in.</summary>
    public const string Bucket = "b";

    private static readonly TimeSpan Quiesce = TimeSpan.FromSeconds(6);

    /// <summary>Runs <paramref name="schedule"/> and checks its history.</summary>
    /// <exception cref="ArgumentException">The workload's actor type defines no Merge.</exception>
    public static ScheduleVerdict Run(Schedule schedule, ScheduleRunOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        options ??= new ScheduleRunOptions();
        options.Workload.Validate();
        var simulator = new Simulator(schedule.Seed);
        var run = new ScheduleRun(schedule, options, simulator);
        try
        {
            simulator.Run(run.ExecuteAsync, limit: TimeSpan.FromHours(1));
        }
        catch (Exception error) when (error is InvalidOperationException or TimeoutException)
        {
            run.Violations.Add($"liveness: {error.Message}");
        }

        if (simulator.Scheduler.ForeignPosts > 0)
        {
            run.Violations.Add($"determinism: {simulator.Scheduler.ForeignPosts} work items were queued from outside the simulation's thread");
        }

        var stats = run.Cluster.Network.Statistics;
        try
        {
            var verdict = HistoryChecker.Check(schedule, options.Workload, run.History, run.Final, run.Cluster, run.Violations, stats.DeliveryLogHash,
                stats.Delivered, simulator.Time.Elapsed, run.MembershipSteps);
            verdict.TransfersCompleted = run.Cluster.Metrics.Count("ringcore.handoff.transfers_completed");
            verdict.ObjectsHandedOff = run.Cluster.Metrics.Count("ringcore.handoff.objects");
            verdict.FinalMembers = run.Cluster.Members;
            verdict.AntiEntropy = run.AntiEntropyFigures();
            return verdict;
        }
        finally
        {
            // The cluster is left to the collector (stopping it would run the simulation on), but
            // its meter and listener are registered process-wide until disposed: left alive,
            // every later schedule's instruments were offered to every earlier listener, and a
            // soak of 10,000 schedules took twice as long as one of 1,000 times ten.
            run.Cluster.Metrics.Dispose();
        }
    }

    private sealed partial class ScheduleRun(Schedule schedule, ScheduleRunOptions options, Simulator simulator)
    {
        private readonly Dictionary<(int Client, string Key), (CausalContext Context, string[] Seen)> _contexts = [];

        public TestCluster Cluster { get; } = new(schedule.Nodes, options.RingSize, options.Bucket.N, schedule.Seed, simulator.Time, options.Bucket,
            simulator.Scheduler, options.Workload.Define,
            new RingNodeOptions
            {
                Actors = { DefaultAskTimeout = options.AskTimeout, PassivationSweepInterval = TimeSpan.FromSeconds(1) },
                Handoff = { HintedHandoff = options.HintedHandoff },
                AntiEntropy = AntiEntropySettings(schedule, options),
            });

        public List<OperationRecord> History { get; } = [];

        public FinalState Final { get; } = new();

        public List<string> Violations { get; } = [];

        public async Task<bool> ExecuteAsync()
        {
            var running = new List<Task>();
            for (int i = 0; i < schedule.Steps.Count; i++)
            {
                var step = schedule.Steps[i];
                await simulator.Delay(step.At - simulator.Time.Elapsed);
                if (step.IsMembership)
                {
                    QueueMembershipChange(i, step);
                }
                else if (step.Kind == StepKind.DamageStore)
                {
                    await DamageAsync(i, step);
                }
                else if (step.IsFault)
                {
                    Apply(step);
                }
                else
                {
                    running.Add(OperateAsync(i, step));
                }

                options.Progress?.Invoke(i);
            }

            await Task.WhenAll(running);
            await SettleAsync();
            return true;
        }

        private void Apply(ScheduleStep step)
        {
            if (schedule.Membership && (!Exists(step) || step.Kind == StepKind.Crash && !LeavesEnoughUp(step.Node)))
            {
                // A crash, restart or wipe of a node whose join has not run yet (changes run one at
                // a time, and may lag or fail), or a crash that would leave fewer than N members
                // up (the generator counted on a join that did not happen).
                return;
            }

            switch (step.Kind)
            {
                case StepKind.Partition:
                    Cluster.Partition([.. step.Sides.Select(side => (IReadOnlyCollection<string>)[.. side.Where(node => !schedule.Membership || IsStarted(node))])]);
                    break;
                case StepKind.Heal:
                    Cluster.Heal();
                    break;
                case StepKind.Crash:
                    Cluster.Crash(step.Node);
                    break;
                case StepKind.Restart:
                    Cluster.Restart(step.Node);
                    break;
                case StepKind.Wipe:
                    Cluster.Wipe(step.Node);
                    break;
                case StepKind.NetworkFaults:
                    Cluster.Network.Faults = step.Faults ?? NetworkFaults.None;
                    break;
            }
        }

        /// <summary>
        /// A client's node: its own among the current members (c0 on the first, c1 on the second, ...)
        /// or, while that one is down or has left the ring, the next live one, as a client library fails over.
        /// </summary>
        private string NodeFor(int client)
        {
            var members = Cluster.Members;
            for (int k = 0; k < members.Count; k++)
            {
                var node = members[(client + k) % members.Count];
                if (!Cluster.Network.IsCrashed(node) && !Cluster.Node(node).HasLeftRing)
                {
                    return node;
                }
            }

            return members[client % members.Count];
        }

        private async Task OperateAsync(int index, ScheduleStep step)
        {
            var node = NodeFor(step.Client);
            var deadline = step.Kind == StepKind.ActorAsk ? options.AskTimeout : options.OperationTimeout;
            var record = new OperationRecord(index, step, node, simulator.Time.Elapsed, deadline);
            History.Add(record);
            var quorum = new QuorumOptions { Timeout = options.OperationTimeout };
            var slot = (step.Client, step.Key);
            try
            {
                switch (step.Kind)
                {
                    case StepKind.PutWithContext:
                    case StepKind.PutBlind:
                    {
                        var (context, seen) = step.Kind == StepKind.PutWithContext && _contexts.TryGetValue(slot, out var known) ? known : (CausalContext.Empty, []);
                        record.Written = $"c{step.Client}.{index}";
                        record.Superseded = seen;
                        var body = await Cluster.Node(node).PutWithBodyAsync(Bucket, step.Key, Encoding.UTF8.GetBytes(record.Written), context, quorum);
                        record.Observed = Texts(body.Values);
                        _contexts[slot] = (body.Context, [.. record.Observed]);
                        break;
                    }

                    case StepKind.Get:
                    {
                        var read = await Cluster.Node(node).GetAsync(Bucket, step.Key, quorum);
                        record.Observed = Texts(read.Values);
                        _contexts[slot] = (read.Context, [.. record.Observed]);
                        break;
                    }

                    case StepKind.Delete:
                    {
                        var (context, seen) = _contexts.TryGetValue(slot, out var known) ? known : (CausalContext.Empty, []);
                        record.Superseded = seen;
                        await Cluster.Node(node).DeleteAsync(Bucket, step.Key, context, quorum);
                        _contexts.Remove(slot);
                        break;
                    }

                    case StepKind.ActorAsk:
                        record.Message = options.Workload.MessageFor(step.Client, index);
                        record.Reply = await Cluster.Actors(node).GetActor(options.Workload.TypeName, step.Key).Ask<object?>(record.Message, options.AskTimeout);
                        break;
                }

                record.Outcome = OperationOutcome.Ok;
            }
            catch (ActorUnavailableException error)
            {
                // Thrown while routing, before the message leaves the node: it was not delivered.
                record.Outcome = OperationOutcome.NotApplied;
                record.Error = error.Message;
            }
            catch (Exception error) when (error is QuorumException or RemoteActorException or ObjectDisposedException)
            {
                // Indeterminate: a QuorumException does not say whether the coordinating replica
                // recorded the write (its reply may be what was lost), so the checker must assume it may have.
                record.Outcome = OperationOutcome.Failed;
                record.Error = error.Message;
            }
            catch (TimeoutException error)
            {
                record.Outcome = OperationOutcome.TimedOut;
                record.Error = error.Message;
            }
            catch (Exception error)
            {
                record.Outcome = OperationOutcome.Unexpected;
                record.Error = $"{error.GetType().Name}: {error.Message}";
            }

            record.Completed = simulator.Time.Elapsed;
        }

        /// <summary>Heals, restarts, quiesces, repairs with R=N reads, then reads every replica everywhere (a membership run: settles first, reads primaries only).</summary>
        private async Task SettleAsync()
        {
            if (schedule.Membership)
            {
                await SettleMembershipAsync();
                return;
            }

            if (schedule.AntiEntropy)
            {
                await SettleAntiEntropyAsync();
                return;
            }

            Cluster.Network.Faults = NetworkFaults.None;
            Cluster.Heal();
            foreach (var node in Cluster.Members)
            {
                if (Cluster.Network.IsCrashed(node))
                {
                    Cluster.Restart(node);
                }
            }

            await simulator.Delay(Quiesce); // in-flight messages, actor refreshes, tombstone reaps
            await RepairAndReadAsync();
        }

        /// <summary>Reads every key at R=N twice so read repair runs, then reads the final state of every key and actor.</summary>
        private async Task RepairAndReadAsync()
        {
            var (keys, actors) = KeysAndActors();
            var all = new QuorumOptions { R = options.Bucket.N, Timeout = TimeSpan.FromSeconds(5) };
            for (int round = 0; round < 2; round++)
            {
                foreach (var key in keys)
                {
                    try
                    {
                        _ = await Cluster.Node(FinalNode()).GetAsync(Bucket, key, all);
                    }
                    catch (QuorumException error)
                    {
                        Final.FailedFinalReads.Add($"{Bucket}/{key}: {error.Message}");
                    }
                }

                await simulator.Delay(Quiesce); // read repair lands, and all-tombstone keys are reaped
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

        /// <summary>The keys of bucket "b" and the actors the schedule's operations name, each in order.</summary>
        private (string[] Keys, string[] Actors) KeysAndActors() =>
            ([.. schedule.Steps.Where(s => !s.IsFault && s.Kind != StepKind.ActorAsk).Select(s => s.Key).Distinct().Order(StringComparer.Ordinal)],
             [.. schedule.Steps.Where(s => s.Kind == StepKind.ActorAsk).Select(s => s.Key).Distinct().Order(StringComparer.Ordinal)]);

        private async Task ReadEverywhereAsync(string key)
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            var merged = SiblingSet<ReadOnlyMemory<byte>>.Empty;
            foreach (var node in Holders(Bucket, keyBytes))
            {
                if (await Cluster.Node(node).ReadReplicaAsync(Bucket, keyBytes) is { } held)
                {
                    merged = SiblingMerge.Merge(merged, held, options.Bucket.LastWriteWins);
                }
            }

            var live = new HashSet<string>(StringComparer.Ordinal);
            bool tombstone = false;
            foreach (var value in merged.Values)
            {
                if (ReplicaValue.IsTombstone(value))
                {
                    tombstone = true;
                }
                else
                {
                    live.Add(Encoding.UTF8.GetString(ReplicaValue.Payload(value).Span));
                }
            }

            Final.Values[key] = live;
            if (tombstone || merged.Count == 0)
            {
                Final.DeletedOrReaped.Add(key);
            }

            // Convergence: after the repair reads, the N primaries hold one and the same set.
            var primaries = Readable(Primaries(Bucket, keyBytes));
            if (primaries.Length == 0)
            {
                return;
            }

            var first = await Cluster.Node(primaries[0]).ReadReplicaAsync(Bucket, keyBytes);
            foreach (var primary in primaries.Skip(1))
            {
                var other = await Cluster.Node(primary).ReadReplicaAsync(Bucket, keyBytes);
                bool same = first is null ? other is null : other is not null && first.Equals(other, ByteValueComparer.Instance);
                if (!same)
                {
                    Final.Diverged[key] = $"{primaries[0]} holds {Describe(first)}, {primary} holds {Describe(other)}";
                    break;
                }
            }
        }

        private async Task ReadActorAsync(string key)
        {
            var keyBytes = Encoding.UTF8.GetBytes(key);
            var type = options.Workload.TypeName;
            var versions = new List<ReadOnlyMemory<byte>>();
            foreach (var node in Holders(type, keyBytes))
            {
                if (await Cluster.Node(node).ReadReplicaAsync(type, keyBytes) is { } held)
                {
                    foreach (var value in held.Values)
                    {
                        if (!ReplicaValue.IsTombstone(value))
                        {
                            versions.Add(ReplicaValue.Payload(value));
                        }
                    }
                }
            }

            Final.ActorVersions[key] = versions;
            try
            {
                Final.ProbeAnswers[key] = await Cluster.Actors(FinalNode()).GetActor(type, key).Ask<object?>(options.Workload.Probe(), options.AskTimeout);
            }
            catch (Exception error)
            {
                Final.ProbeFailures[key] = $"{error.GetType().Name}: {error.Message}";
            }
        }

        /// <summary>Where the final state of a key is read: every member (fallbacks included), or after a membership run its primaries only.</summary>
        private IReadOnlyList<string> Holders(string bucket, byte[] key) => schedule.Membership ? Readable(Primaries(bucket, key).Distinct()) : Cluster.Members;

        /// <summary>
        /// The nodes of <paramref name="nodes"/> whose replicas can be read: all of them, except after a
        /// membership run a member still down (a force-removed node the ring kept; the checker reports it).
        /// </summary>
        private string[] Readable(IEnumerable<string> nodes) => schedule.Membership ? [.. nodes.Where(n => !Cluster.Network.IsCrashed(n))] : [.. nodes];

        /// <summary>The node the final reads and probes go through: the first member (after a membership run, the first one up).</summary>
        private string FinalNode() => schedule.Membership ? Cluster.Members.FirstOrDefault(n => !Cluster.Network.IsCrashed(n)) ?? Cluster.Members[0] : Cluster.Members[0];

        private string[] Primaries(string bucket, byte[] key)
        {
            var ring = Cluster.Ring;
            int partition = ring.PartitionOf(KeyPosition.Of(Encoding.UTF8.GetBytes(bucket), key));
            return [.. Enumerable.Range(0, options.Bucket.N).Select(i => ring.OwnerMemberOf((partition + i) % ring.PartitionCount).Name)];
        }

        private static string Describe(SiblingSet<ReadOnlyMemory<byte>>? set) =>
            set is null ? "nothing" : $"[{string.Join(", ", set.Values.Select(v => ReplicaValue.IsTombstone(v) ? "tombstone" : Encoding.UTF8.GetString(ReplicaValue.Payload(v).Span)))}]";

        private static string[] Texts(IEnumerable<ReadOnlyMemory<byte>> values) =>
            [.. values.Select(v => Encoding.UTF8.GetString(v.Span)).Order(StringComparer.Ordinal)];
    }
}
