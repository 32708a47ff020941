using BenchmarkDotNet.Attributes;
using RingCore.Claim;
using RingCore.Ring;

namespace RingCore.Benchmarks.Claim;

/// <summary>
/// The claim scale target: laying out, growing and shrinking a ring of Q = 65536 partitions over
/// 100 members must each take under a second (riak_core_claim_swapping could take minutes at that
/// size). Q = 1024 over 16 is the everyday size, for contrast.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ClaimBenchmarkConfig))]
public class ClaimBenchmarks
{
    // Set by Setup, which BenchmarkDotNet runs before any benchmark method.
    private string[] _memberNames = [];
    private RingState _ring = null!;
    private string[] _joining = [];
    private string[] _leaving = [];

    /// <summary>The ring sizes and member counts measured.</summary>
    public static IEnumerable<ClaimScale> Scales { get; } =
    [
        new ClaimScale(PartitionCount: 1024, MemberCount: 16),
        new ClaimScale(PartitionCount: 65536, MemberCount: 100),
    ];

    /// <summary>The ring size and member count of this case.</summary>
    [ParamsSource(nameof(Scales))]
    public ClaimScale Scale { get; set; } = null!;

    /// <summary>Lays out the ring that Join and Leave start from, outside the measured time.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _memberNames = MemberNames.Create(Scale.MemberCount);
        _ring = RingClaim.Initial(Scale.PartitionCount, _memberNames).Ring;

        // MemberNames never produces this name, so it is a genuinely new member.
        _joining = ["joining-node"];

        // A member from the middle, so the leave is not a special case at either end of the order.
        _leaving = [_memberNames[Scale.MemberCount / 2]];
    }

    /// <summary>A fresh ring: every partition claimed from nothing.</summary>
    [Benchmark]
    public ClaimResult InitialClaim() => RingClaim.Initial(Scale.PartitionCount, _memberNames);

    /// <summary>One member joins; about Q / (M + 1) partitions move to it.</summary>
    [Benchmark]
    public ClaimResult JoinOneMember() => RingClaim.Join(_ring, _joining);

    /// <summary>One member leaves; its Q / M partitions move to the others.</summary>
    [Benchmark]
    public ClaimResult LeaveOneMember() => RingClaim.Leave(_ring, _leaving);
}
