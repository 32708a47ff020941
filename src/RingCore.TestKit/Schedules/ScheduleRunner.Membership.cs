using System.Text;
using RingCore.Membership;
using RingCore.Ring;
using RingCore.TestKit.Checking;
using RingCore.Transport;

namespace RingCore.TestKit.Schedules;

/// <summary>
/// The membership facet of a run (issue 13): joins, leaves, force-removes and replaces, sent one
/// at a time through the <see cref="TestCluster"/>'s operator API while faults and client
/// operations go on; then the settle: heal, restart every crashed node that was not removed, wait
/// until the cluster has settled, repair, and read each key from its primaries only.
/// </summary>
public static partial class ScheduleRunner
{
    /// <summary>How long (virtual time) a membership run waits for the cluster to settle after the schedule.</summary>
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The fewest valid members a change may leave: N = 3, as the schedules' buckets replicate.</summary>
    private const int FewestMembers = 3;

    private sealed partial class ScheduleRun
    {
        private readonly HashSet<string> _removed = new(StringComparer.Ordinal);

        /// <summary>The membership changes, in schedule order, as they ran.</summary>
        public List<MembershipStepRecord> MembershipSteps { get; } = [];

        /// <summary>Completes when every queued membership change has ended.</summary>
        private Task MembershipChangesDone { get; set; } = Task.CompletedTask;

        /// <summary>
        /// Queues a change behind the ones before it: an operator types one command after the
        /// other, while the cluster goes on serving and failing.
        /// </summary>
        private void QueueMembershipChange(int index, ScheduleStep step) => MembershipChangesDone = ChangeAfterAsync(MembershipChangesDone, index, step);

        private async Task ChangeAfterAsync(Task previous, int index, ScheduleStep step)
        {
            await previous;
            var record = new MembershipStepRecord(index, step, simulator.Time.Elapsed);
            MembershipSteps.Add(record);
            try
            {
                if (WhyNot(step) is { } reason)
                {
                    record.Outcome = MembershipStepOutcome.Skipped;
                    record.Error = reason;
                }
                else
                {
                    await ChangeAsync(step);
                    record.Outcome = MembershipStepOutcome.Applied;
                }
            }
            catch (ClusterChangeRefusedException error)
            {
                record.Outcome = MembershipStepOutcome.Refused;
                record.Error = error.Message;
            }
            catch (Exception error) when (error is TimeoutException or ObjectDisposedException)
            {
                // No answer, or the node asked crashed while it waited: the change may or may not have been made.
                record.Outcome = MembershipStepOutcome.TimedOut;
                record.Error = error.Message;
            }
            catch (InvalidOperationException error) when (!HasMemberToAsk())
            {
                record.Outcome = MembershipStepOutcome.Refused; // no valid member up to ask
                record.Error = error.Message;
            }
            catch (Exception error)
            {
                record.Outcome = MembershipStepOutcome.Refused;
                record.Error = $"{error.GetType().Name}: {error.Message}";
                Violations.Add($"membership: {step} failed with an error an operator could not have caused: {record.Error}");
            }

            if (record.Outcome is MembershipStepOutcome.Refused or MembershipStepOutcome.TimedOut)
            {
                await ClearStagedAsync(); // what the failed command may have staged would block the next one
            }

            record.Completed = simulator.Time.Elapsed;
        }

        private Task ChangeAsync(ScheduleStep step) => step.Kind switch
        {
            StepKind.Join => Cluster.JoinAsync(step.Node),
            StepKind.Leave => Cluster.LeaveAsync(step.Node),
            StepKind.ForceRemove => ForceRemoveAsync(step.Node),
            StepKind.Replace => Cluster.ReplaceAsync(step.Node, step.Replacement),
            _ => throw new ArgumentException($"{step} is not a membership change.", nameof(step)),
        };

        private async Task ForceRemoveAsync(string node)
        {
            await Cluster.ForceRemoveAsync(node);
            _removed.Add(node); // gone for good: the settle does not restart it
        }

        /// <summary>
        /// Why a change would break the rules the schedules keep (the cluster as it is now, not as
        /// the generator imagined it), or null: at least N valid members stay, only a crashed node
        /// is force-removed. Everything else goes to the claimant, which refuses what is invalid.
        /// </summary>
        private string? WhyNot(ScheduleStep step)
        {
            if (step.Kind is not (StepKind.Leave or StepKind.ForceRemove))
            {
                return null;
            }

            if (step.Kind == StepKind.ForceRemove && !Cluster.Network.IsCrashed(step.Node))
            {
                return $"{step.Node} is up: only a crashed node is force-removed";
            }

            var ring = Cluster.Ring;
            int valid = ring.Members.Count(m => m.Status == MemberStatus.Valid && m.Name != step.Node);
            return valid < FewestMembers && ring.IndexOfMember(step.Node) >= 0
                ? $"{valid} valid members would remain, fewer than N = {FewestMembers}"
                : null;
        }

        /// <summary>Drops whatever a refused or timed-out change left staged at the claimant, as an operator would (cluster clear); best effort.</summary>
        private async Task ClearStagedAsync()
        {
            if (Cluster.Nodes.FirstOrDefault(IsUpMember) is not { } member)
            {
                return;
            }

            try
            {
                await Cluster.Node(member).ClearAsync();
            }
            catch (Exception error) when (error is ClusterChangeRefusedException or TimeoutException or ObjectDisposedException)
            {
                // The claimant is cut off: what is staged there stays until a later clear reaches it.
            }
        }

        /// <summary>Whether the node a crash, restart or wipe names has been started (and has not left): faults on other nodes do nothing.</summary>
        private bool Exists(ScheduleStep step) => step.Kind is not (StepKind.Crash or StepKind.Restart or StepKind.Wipe) || IsStarted(step.Node);

        /// <summary>Whether <paramref name="node"/> has been started in the cluster and has not left it (a partition names only those).</summary>
        private bool IsStarted(string node) => Cluster.Nodes.Contains(node, StringComparer.Ordinal);

        /// <summary>Whether some valid member is up and holds the cluster's ring: one the TestCluster can send a change to.</summary>
        private bool HasMemberToAsk()
        {
            var ring = Cluster.Ring;
            return ring.Members.Any(m => m.Status == MemberStatus.Valid && IsStarted(m.Name) && !Cluster.Network.IsCrashed(m.Name)
                && Cluster.Node(m.Name).Ring.ClusterId == ring.ClusterId);
        }

        /// <summary>Whether at least N members of the ring stay up if <paramref name="node"/> crashes.</summary>
        private bool LeavesEnoughUp(string node) => Cluster.Members.Count(m => m != node && IsUpMember(m)) >= FewestMembers;

        private bool IsUpMember(string node) =>
            !Cluster.Network.IsCrashed(node) && Cluster.Ring.IndexOfMember(node) >= 0 && !Cluster.Node(node).HasLeftRing;

        /// <summary>
        /// The settle of a membership run: heal; let the queued changes finish; restart every crashed node that was not removed;
        /// wait until the cluster has settled (one ring, no transfer, hints handed back); repair
        /// with R=N reads; read each key from its primaries only; probe the actors; then record
        /// the rings, the misplaced objects and the activations for <see cref="SettledClusterChecker"/>.
        /// </summary>
        private async Task SettleMembershipAsync()
        {
            Cluster.Network.Faults = NetworkFaults.None;
            Cluster.Heal();
            await MembershipChangesDone; // the changes still queued run on the healed network, as an operator's would after an outage
            foreach (var node in Cluster.Nodes)
            {
                if (Cluster.Network.IsCrashed(node) && !_removed.Contains(node))
                {
                    Cluster.Restart(node);
                }
            }

            var settled = new SettledCluster { TargetN = Cluster.TargetN };
            Final.Settled = settled;
            try
            {
                await Cluster.AwaitSettledAsync(SettleTimeout);
            }
            catch (TimeoutException error)
            {
                settled.NotSettled = error.Message;
            }

            await simulator.Delay(Quiesce); // actors leaving their old homes, the last acknowledgements
            await RepairAndReadAsync();
            await simulator.Delay(Quiesce);

            var ring = Cluster.Ring;
            settled.Ring = ring;
            foreach (var node in Cluster.Nodes.Where(n => !Cluster.Network.IsCrashed(n)))
            {
                var held = Cluster.Node(node).Ring;
                if (ring.IndexOfMember(node) >= 0 || held.ClusterId == ring.ClusterId)
                {
                    settled.Rings[node] = held;
                }
                else
                {
                    settled.Strays.Add(node);
                }
            }

            settled.Misplaced.AddRange(await Cluster.MisplacedObjectsAsync());
            foreach (var actor in schedule.Steps.Where(s => s.Kind == StepKind.ActorAsk).Select(s => s.Key).Distinct().Order(StringComparer.Ordinal))
            {
                settled.Activations[actor] = Cluster.Activations.ActiveOn(options.Workload.TypeName, Encoding.UTF8.GetBytes(actor));
            }
        }
    }
}
