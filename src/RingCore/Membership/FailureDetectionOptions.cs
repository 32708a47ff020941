namespace RingCore.Membership;

/// <summary>
/// Settings of failure detection (<c>RingCore:FailureDetection</c>): how a node decides which
/// members of its ring are up. By default every node sends a heartbeat to every other member
/// each <see cref="HeartbeatInterval"/>, and a phi-accrual failure detector per member (Hayashibara
/// et al., "The φ Accrual Failure Detector", SRDS 2004; the settings are Akka's
/// <c>PhiAccrualFailureDetector</c>'s) turns the time since its last heartbeat into a suspicion
/// level φ: a member is marked down when φ reaches <see cref="Threshold"/>, checked every
/// <see cref="CheckInterval"/>, and up again as soon as a heartbeat from it arrives.
/// </summary>
/// <remarks>
/// <para>The defaults mark a crashed node down within 2 s of its crash and a returning node up
/// within the network's delay (its first heartbeat leaves at its start); bench/README.md measures
/// both on the simulated cluster over 100 seeds. φ reaches 8 (a 1 in 10^8 chance that a live
/// node's heartbeat is merely late, were the intervals normal) about 5.22 standard deviations
/// after the mean interval plus the acceptable pause: with heartbeats every 250 ms that is
/// 0.25 + 1 + 5.22 × 0.1 = 1.77 s after the last heartbeat, which arrived at most one interval
/// before the crash, plus at most one check interval: 1.52 to 1.87 s, under the 3 s the issue
/// asks for, with room for a lossy network (a dropped heartbeat widens the deviation).</para>
/// <para>Lowering the threshold or the pause detects sooner and suspects live nodes more often (a
/// pause of the process, such as a long garbage collection, or a congested link); a suspected node
/// only moves its requests to fallbacks (sloppy quorum), so a false suspicion costs a detour, never
/// data. Raise the pause first where processes pause: every second added delays detection by a second.</para>
/// </remarks>
public sealed class FailureDetectionOptions
{
    /// <summary>Where up/down comes from. Defaults to <see cref="FailureDetectionMode.Heartbeats"/>.</summary>
    public FailureDetectionMode Mode { get; set; } = FailureDetectionMode.Heartbeats;

    /// <summary>
    /// How often a node sends a heartbeat to each other member. Defaults to 250 ms (Akka's cluster
    /// sends one a second): a lost heartbeat then delays nothing by more than a quarter second, a
    /// healed partition is seen within one interval, and the history fills fast (bench/README.md
    /// compares 500 ms: on a network that drops 5% of messages it detected a partition in up to
    /// 4 s). Each costs one small message per member and interval: in a 100-member ring a node
    /// sends and receives 396 a second.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The suspicion level φ at which a member is marked down. Defaults to 8 (Akka's default; Cassandra's
    /// is also 8): φ = 8 means the detector would be wrong once in 10^8 if the intervals were normally
    /// distributed. A higher value waits longer before it suspects.
    /// </summary>
    public double Threshold { get; set; } = 8.0;

    /// <summary>
    /// How many heartbeat intervals per member the detector's mean and deviation are taken over.
    /// Defaults to 200 (50 s of heartbeats at the default interval; Akka keeps 1000): enough for a
    /// stable estimate, short enough to follow a network that changed, and 1.6 KiB per member.
    /// </summary>
    public int MaxSampleSize { get; set; } = 200;

    /// <summary>
    /// The smallest standard deviation of the intervals the detector assumes. Defaults to 100 ms
    /// (Akka's): heartbeats on a quiet network arrive almost exactly on time, and a deviation near
    /// zero would make a few milliseconds of delay look like a crash.
    /// </summary>
    public TimeSpan MinStdDeviation { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long heartbeats may stop, beyond their mean interval, before suspicion grows: added to
    /// the mean. Defaults to 1 s (Akka's cluster uses 3 s, which alone would miss the 3 s detection target).
    /// Raise it where the process can pause for longer (long garbage collections, an overloaded
    /// machine); every second added delays detection by a second.
    /// </summary>
    public TimeSpan AcceptableHeartbeatPause { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The interval the detector assumes before it has measured any (its history starts with this
    /// mean and a deviation of a quarter of it, as Akka's does). Defaults to 250 ms, the default
    /// <see cref="HeartbeatInterval"/>; keep the two equal.
    /// </summary>
    public TimeSpan FirstHeartbeatEstimate { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How often a node compares each member's φ with <see cref="Threshold"/>. Defaults to 100 ms:
    /// a crash is seen at most this much after φ crossed the threshold; checking costs a few
    /// arithmetic operations per member.
    /// </summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
