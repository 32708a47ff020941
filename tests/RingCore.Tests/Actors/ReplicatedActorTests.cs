using System.Text;
using Google.Protobuf;
using RingCore.Actors;
using RingCore.Protocol;
using RingCore.Replication;
using RingCore.Tests.Replication;
using RingCore.Transport;
using RingCore.Node;
using static RingCore.Tests.Replication.ReplicationTestHelpers;

using RingCore.Tests.TestKit;

namespace RingCore.Tests.Actors;

/// <summary>
/// Replicated actors on the simulated cluster, on fake time (issue 4, point 4): where actors
/// activate, state that survives the node that hosted it, siblings from a partition resolved by
/// Merge (or refused without one), Strict placement, and bad messages from peers.
/// </summary>
public sealed class ReplicatedActorTests
{
    private static readonly TimeSpan Sweep = TimeSpan.FromSeconds(1);

    // The exact view: these tests are about placement and state after a fault, not about noticing it.
    private static readonly RingNodeOptions Options = Detection.Exact(new()
    {
        Actors =
        {
            PassivationSweepInterval = Sweep,
            WriteBehindInterval = TimeSpan.FromMilliseconds(100),
            DefaultAskTimeout = TimeSpan.FromSeconds(10),
        },
    });

    [Fact]
    public async Task An_actor_activates_on_its_first_primary_whichever_node_sends_to_it()
    {
        await using var sim = Cluster(members: 5);
        var primaries = Primaries(sim.Cluster, "counter", "k1");
        foreach (var sender in sim.Cluster.Members)
        {
            sim.Actors(sender).GetActor("counter", "k1").Tell(new CounterActor.Increment());
        }

        sim.Settle(TimeSpan.FromMilliseconds(10));
        var count = sim.Run(sim.Actors("n1").GetActor("counter", "k1").Ask<long>(new CounterActor.Get()));
        Assert.True(5 == count, $"count {count}, host {primaries[0]}, active {string.Join(",", sim.Cluster.Members.Select(m => sim.Actors(m).ActiveActors))} malformed {sim.Cluster.Metrics.Count("ringcore.peer.malformed")}");
        foreach (var member in sim.Cluster.Members)
        {
            Assert.Equal(member == primaries[0] ? 1 : 0, sim.Actors(member).ActiveActors);
        }
    }

    [Fact]
    public async Task WriteThrough_state_survives_the_crash_of_the_node_that_hosted_the_actor()
    {
        await using var sim = Cluster(members: 5);
        var host = Primaries(sim.Cluster, "counter", "cart-7")[0];
        var sender = sim.Cluster.Members.First(m => m != host);
        var counter = sim.Actors(sender).GetActor("counter", "cart-7");
        for (int i = 0; i < 10; i++)
        {
            sim.Run(counter.Ask<object?>(new CounterActor.Increment()));
        }

        sim.Cluster.Crash(host);
        Assert.Equal(10, sim.Run(counter.Ask<long>(new CounterActor.Get())));
        sim.Run(counter.Ask<object?>(new CounterActor.Increment()));
        Assert.Equal(11, sim.Run(counter.Ask<long>(new CounterActor.Get())));
        Assert.Equal(1, sim.Cluster.Members.Where(m => m != host).Sum(m => sim.Actors(m).ActiveActors));

        // The acknowledged increments are in the replicated store, readable from any node.
        var stored = sim.Run(sim.Node(sender).GetAsync("counter", "cart-7"));
        Assert.Contains("\"Count\":11", Encoding.UTF8.GetString(Assert.Single(stored.Values).Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_its_host_crashes_an_actor_reactivates_with_its_acknowledged_state_even_if_the_next_replica_missed_it()
    {
        await using var sim = Cluster(members: 5);
        var primaries = Primaries(sim.Cluster, "counter", "k");
        var sender = sim.Cluster.Members.Except(primaries).First();
        var counter = sim.Actors(sender).GetActor("counter", "k");
        sim.Cluster.Isolate(primaries[1]); // misses every write: W = 2 is met by the host and the other primary or a fallback
        for (int i = 0; i < 4; i++)
        {
            sim.Run(counter.Ask<object?>(new CounterActor.Increment()));
        }

        sim.Cluster.Heal();
        foreach (var fallback in sim.Cluster.Members.Except(primaries))
        {
            sim.Cluster.Wipe(fallback); // the fallbacks that stood in for primaries[1] forget it
        }

        sim.Cluster.Crash(primaries[0]);
        sim.Cluster.Network.Slow(primaries[2], TimeSpan.FromMilliseconds(50)); // the one replica left with the state answers last

        // The next replica holds nothing and a new fallback holds nothing: two not-found replies
        // are not a quorum for an activation, which waits for the replica that has the state.
        var again = sim.Actors(primaries[1]).GetActor("counter", "k");
        Assert.Equal(4, sim.Run(again.Ask<long>(new CounterActor.Get())));
        Assert.Equal(1, sim.Actors(primaries[1]).ActiveActors);
    }

    [Fact]
    public async Task A_WriteThrough_reply_waits_for_W_acknowledgements_and_a_missed_quorum_discards_the_change()
    {
        await using var sim = Cluster(members: 5);
        var host = Primaries(sim.Cluster, "counter", "k")[0];
        var counter = sim.Actors(host).GetActor("counter", "k");
        sim.Run(counter.Ask<object?>(new CounterActor.Increment(2)));

        sim.Cluster.Isolate(host); // the host still runs the actor, but only its own replica acknowledges (W = 2)
        var error = Assert.Throws<QuorumException>(() => sim.Run(counter.Ask<object?>(new CounterActor.Increment(40))));
        Assert.Contains("W=2", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, sim.Run(counter.Ask<long>(new CounterActor.Get()))); // the unacknowledged change is not in the state

        sim.Cluster.Heal();
        sim.Run(counter.Ask<object?>(new CounterActor.Increment(1)));
        Assert.Equal(3, sim.Run(counter.Ask<long>(new CounterActor.Get())));

        // The failed attempt that the host's own replica recorded is superseded, not a sibling.
        var stored = sim.Run(sim.Node(host).GetAsync("counter", "k", new QuorumOptions { R = 3 }));
        Assert.Contains("\"Count\":3", Encoding.UTF8.GetString(Assert.Single(stored.Values).Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteBehind_state_is_replicated_on_its_interval_and_Ephemeral_state_is_not()
    {
        await using var sim = Cluster(members: 5);
        var host = Primaries(sim.Cluster, "wb-counter", "k")[0];
        Assert.Equal(host, Primaries(sim.Cluster, "wb-counter", "k")[0]);
        var sender = sim.Cluster.Members.First(m => m != host);
        var writeBehind = sim.Actors(sender).GetActor("wb-counter", "k");
        var ephemeral = sim.Actors(sender).GetActor("eph-counter", "k");
        for (int i = 0; i < 3; i++)
        {
            sim.Run(writeBehind.Ask<object?>(new CounterActor.Increment()));
            sim.Run(ephemeral.Ask<object?>(new CounterActor.Increment()));
        }

        sim.Settle(Options.Actors.WriteBehindInterval * 3);
        sim.Cluster.Crash(host);
        sim.Cluster.Crash(Primaries(sim.Cluster, "eph-counter", "k")[0]);
        Assert.Equal(3, sim.Run(writeBehind.Ask<long>(new CounterActor.Get())));
        Assert.Equal(0, sim.Run(ephemeral.Ask<long>(new CounterActor.Get())));
        Assert.False(sim.Run(sim.Node(sender).GetAsync("eph-counter", "k")).Found);
    }

    [Fact]
    public async Task A_remote_handler_that_throws_fails_the_Ask_and_the_actor_keeps_its_state()
    {
        await using var sim = Cluster(members: 4);
        var host = Primaries(sim.Cluster, "counter", "k")[0];
        var counter = sim.Actors(sim.Cluster.Members.First(m => m != host)).GetActor("counter", "k");
        sim.Run(counter.Ask<object?>(new CounterActor.Increment(5)));

        var error = Assert.Throws<RemoteActorException>(() => sim.Run(counter.Ask<long>(new CounterActor.Fail("no stock"))));
        Assert.Equal(host, error.Node);
        Assert.Equal(typeof(InvalidOperationException).FullName, error.RemoteType);
        Assert.Contains("no stock", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, sim.Run(counter.Ask<long>(new CounterActor.Get())));
    }

    [Fact]
    public async Task Writes_on_both_sides_of_a_partition_become_siblings_that_Merge_resolves_at_the_next_activation()
    {
        await using var sim = Cluster(members: 6);
        var (primaries, left, right) = Sides(sim, "cart");
        sim.Run(sim.Actors(left[1]).GetActor("cart", "k").Ask<object?>(new Cart.Add("bread")));

        sim.Cluster.Partition(left, right);
        sim.Run(sim.Actors(left[1]).GetActor("cart", "k").Ask<object?>(new Cart.Add("apple")));
        sim.Run(sim.Actors(right[2]).GetActor("cart", "k").Ask<object?>(new Cart.Add("fig")));
        Assert.Equal(1, sim.Actors(primaries[0]).ActiveActors); // each side activated the cart on its first reachable replica
        Assert.Equal(1, sim.Actors(primaries[1]).ActiveActors);

        sim.Cluster.Heal();
        sim.Settle(Sweep * 2); // the sweeps see the healed view and refresh both activations
        Assert.Equal(0, sim.Cluster.Members.Sum(m => sim.Actors(m).ActiveActors));
        var stored = sim.Run(sim.Node(left[1]).GetAsync("cart", "k", new QuorumOptions { R = 3 }));
        Assert.Equal(2, stored.Values.Length);

        var items = sim.Run(sim.Actors(right[2]).GetActor("cart", "k").Ask<string[]>(new Cart.Items()));
        Assert.Equal(["apple", "bread", "fig"], items);
        sim.Settle(TimeSpan.FromMilliseconds(50));
        var collapsed = sim.Run(sim.Node(left[1]).GetAsync("cart", "k", new QuorumOptions { R = 3 }));
        Assert.Single(collapsed.Values); // the merged state was written back with the read's context
    }

    [Fact]
    public async Task A_write_that_finds_siblings_beside_it_merges_them_instead_of_overwriting_them_unseen()
    {
        // Sweeps far apart (as far as the types' idle timeout allows): the activation on the healed side lives on with its stale state.
        await using var sim = new FakeTimeCluster(6, ringSize: 16, seed: 11, actors: DefineActors,
            nodeOptions: Detection.Exact(new RingNodeOptions { Actors = { PassivationSweepInterval = TimeSpan.FromMinutes(5), DefaultAskTimeout = TimeSpan.FromSeconds(10) } }));
        var (primaries, left, right) = Sides(sim, "cart");
        sim.Cluster.Partition(left, right);
        sim.Run(sim.Actors(left[1]).GetActor("cart", "k").Ask<object?>(new Cart.Add("apple")));
        sim.Run(sim.Actors(right[2]).GetActor("cart", "k").Ask<object?>(new Cart.Add("fig")));
        sim.Cluster.Heal();
        _ = sim.Run(sim.Node(left[1]).GetAsync("cart", "k", new QuorumOptions { R = 3 })); // read repair: the host's replica gets "fig"
        sim.Settle(TimeSpan.FromMilliseconds(20));

        var cart = sim.Actors(left[1]).GetActor("cart", "k");
        sim.Run(cart.Ask<object?>(new Cart.Add("pear"))); // written beside "fig": the write's context now covers it
        Assert.Equal(["apple", "fig", "pear"], sim.Run(cart.Ask<string[]>(new Cart.Items())));
        sim.Run(cart.Ask<object?>(new Cart.Add("plum")));
        sim.Settle(TimeSpan.FromMilliseconds(20));
        var stored = sim.Run(sim.Node(left[1]).GetAsync("cart", "k", new QuorumOptions { R = 3 }));
        Assert.Contains("fig", Encoding.UTF8.GetString(Assert.Single(stored.Values).Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Siblings_of_an_actor_type_without_Merge_fail_its_messages_with_a_clear_error()
    {
        await using var sim = Cluster(members: 6);
        var (_, left, right) = Sides(sim, "cart-no-merge");
        sim.Cluster.Partition(left, right);
        sim.Run(sim.Actors(left[1]).GetActor("cart-no-merge", "k").Ask<object?>(new Cart.Add("apple")));
        sim.Run(sim.Actors(right[2]).GetActor("cart-no-merge", "k").Ask<object?>(new Cart.Add("fig")));
        sim.Cluster.Heal();
        sim.Settle(Sweep * 2);

        var cart = sim.Actors(left[0]).GetActor("cart-no-merge", "k");
        var error = Assert.Throws<ActorSiblingsException>(() => sim.Run(cart.Ask<string[]>(new Cart.Items())));
        Assert.Equal(2, error.Siblings);
        Assert.Contains("no Merge", error.Message, StringComparison.Ordinal);

        // Nothing was picked or lost: both versions are still stored.
        Assert.Equal(2, sim.Run(sim.Node(left[1]).GetAsync("cart-no-merge", "k", new QuorumOptions { R = 3 })).Values.Length);
    }

    [Fact]
    public async Task A_Strict_actor_runs_only_on_its_primary_owner_and_refuses_while_the_owner_is_unreachable()
    {
        await using var sim = Cluster(members: 5);
        var owner = Primaries(sim.Cluster, "strict-counter", "k")[0];
        var sender = sim.Cluster.Members.First(m => m != owner);
        var counter = sim.Actors(sender).GetActor("strict-counter", "k");
        sim.Run(counter.Ask<object?>(new CounterActor.Increment()));
        Assert.Equal(1, sim.Actors(owner).ActiveActors);

        sim.Cluster.Isolate(owner);
        var error = Assert.Throws<ActorUnavailableException>(() => counter.Tell(new CounterActor.Increment()));
        Assert.Contains(owner, error.Message, StringComparison.Ordinal);
        Assert.Contains("Strict", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, sim.Cluster.Members.Where(m => m != owner).Sum(m => sim.Actors(m).ActiveActors));

        sim.Cluster.Heal();
        sim.Run(counter.Ask<object?>(new CounterActor.Increment()));
        Assert.Equal(2, sim.Run(counter.Ask<long>(new CounterActor.Get())));
    }

    [Fact]
    public async Task An_actor_on_a_fallback_moves_back_to_its_primary_when_the_primary_returns()
    {
        await using var sim = Cluster(members: 5);
        var primaries = Primaries(sim.Cluster, "counter", "k");
        var sender = sim.Cluster.Members.Except(primaries).First();
        var counter = sim.Actors(sender).GetActor("counter", "k");
        sim.Cluster.Isolate(primaries[0]);
        sim.Run(counter.Ask<object?>(new CounterActor.Increment(3)));
        Assert.Equal(1, sim.Actors(primaries[1]).ActiveActors);

        sim.Cluster.Heal();
        sim.Settle(Sweep * 2);
        Assert.Equal(0, sim.Actors(primaries[1]).ActiveActors); // passivated: it should no longer host the actor
        Assert.Equal(3, sim.Run(counter.Ask<long>(new CounterActor.Get())));
        Assert.Equal(1, sim.Actors(primaries[0]).ActiveActors);
        Assert.Equal(1, sim.Cluster.Members.Sum(m => sim.Actors(m).ActiveActors));
    }

    [Fact]
    public async Task Malformed_and_unknown_actor_messages_from_peers_are_refused_and_the_node_keeps_serving()
    {
        await using var sim = Cluster(members: 3);
        var target = sim.Cluster.Members[0];
        var channel = sim.Cluster.Network.Connect("mallory");
        var replies = new List<PeerFrame>();
        channel.Attach(new Collect(replies));
        channel.Send(target, new byte[] { 0xFF, 0xFF, 0xFF });
        Ask(7, new ActorRequest { ActorType = "no-such-type", Key = ByteString.CopyFromUtf8("k"), MessageType = "x" });
        Ask(8, new ActorRequest { ActorType = "counter", Key = ByteString.CopyFromUtf8("k"), MessageType = "System.String" });
        Ask(9, new ActorRequest { ActorType = "counter", Key = ByteString.Empty, MessageType = typeof(CounterActor.Get).FullName });
        Ask(10, new ActorRequest { ActorType = "counter", Key = ByteString.CopyFromUtf8("k"), MessageType = typeof(CounterActor.Increment).FullName, Payload = ByteString.CopyFromUtf8("{not json") });
        sim.Settle(TimeSpan.FromMilliseconds(20));

        Assert.Equal(5, sim.Cluster.Metrics.Count("ringcore.peer.malformed", target));
        Assert.Equal(new ulong[] { 7, 8, 9, 10 }, replies.Select(r => r.RequestId).Order());
        Assert.All(replies, reply => Assert.NotEmpty(reply.Actor.Reply.Error));
        Assert.Contains(replies, r => r.Actor.Reply.Error.Contains("no-such-type", StringComparison.Ordinal));
        sim.Run(sim.Actors(target).GetActor("counter", "k").Ask<object?>(new CounterActor.Increment()));
        Assert.Equal(1, sim.Run(sim.Actors(target).GetActor("counter", "k").Ask<long>(new CounterActor.Get())));

        void Ask(ulong id, ActorRequest request)
        {
            channel.Send(target, new PeerFrame { RequestId = id, ExpectsReply = true, Actor = new ActorMessage { Request = request } }.ToByteArray());
        }
    }

    [Fact]
    public async Task A_duplicated_actor_message_is_handled_once()
    {
        await using var sim = Cluster(members: 4);
        var host = Primaries(sim.Cluster, "counter", "k")[0];
        var sender = sim.Cluster.Members.First(m => m != host);
        var counter = sim.Actors(sender).GetActor("counter", "k");
        sim.Run(counter.Ask<object?>(new CounterActor.Increment()));
        sim.Cluster.Network.Faults = new NetworkFaults { DuplicateRate = 1 };
        for (int i = 0; i < 5; i++)
        {
            counter.Tell(new CounterActor.Increment());
            sim.Run(counter.Ask<object?>(new CounterActor.Increment()));
        }

        sim.Settle(TimeSpan.FromMilliseconds(50));
        sim.Cluster.Network.Faults = NetworkFaults.None;
        Assert.Equal(11, sim.Run(counter.Ask<long>(new CounterActor.Get())));
        long duplicates = sim.Cluster.Metrics.Count("ringcore.peer.duplicates", host);
        Assert.True(duplicates >= 10, $"{duplicates} duplicates dropped");
    }

    [Fact]
    public async Task A_cluster_node_whose_names_or_ring_disagree_is_refused()
    {
        var ring = RingCore.Claim.RingClaim.Initial(16, ["n1", "n2"]).Ring;
        var network = new SimulatedNetwork(1);
        var wrongName = await Assert.ThrowsAsync<ArgumentException>(() => RingNode.StartAsync(new RingNodeOptions { NodeName = "n2", PartitionCount = 16 },
            ring, network.Connect("n1"), DefineActors));
        Assert.Contains("The transport belongs to 'n1', not to RingCore:NodeName 'n2'", wrongName.Message, StringComparison.Ordinal);
        var stranger = await Assert.ThrowsAsync<ArgumentException>(() => RingNode.StartAsync(new RingNodeOptions { NodeName = "n3", PartitionCount = 16 },
            ring, network.Connect("n3"), DefineActors));
        Assert.Contains("'n3' is not a member of the ring (n1, n2)", stranger.Message, StringComparison.Ordinal);
        var wrongRing = await Assert.ThrowsAsync<ArgumentException>(() => RingNode.StartAsync(new RingNodeOptions { NodeName = "n1", PartitionCount = 64 },
            ring, new SimulatedNetwork(2).Connect("n1"), DefineActors));
        Assert.Contains("16 partitions", wrongRing.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The sides of a six-node cluster that split key "k" of <paramref name="type"/>: its first
    /// primary with two non-replicas on the left, its other two primaries and the last node on the right.
    /// </summary>
    private static (string[] Primaries, string[] Left, string[] Right) Sides(FakeTimeCluster sim, string type)
    {
        var primaries = Primaries(sim.Cluster, type, "k");
        var others = sim.Cluster.Members.Except(primaries).ToArray();
        return (primaries, [primaries[0], others[0], others[1]], [primaries[1], primaries[2], others[2]]);
    }

    private static FakeTimeCluster Cluster(int members) =>
        new(members, ringSize: 16, seed: 11, actors: DefineActors, nodeOptions: Options);

    private static void DefineActors(ActorRegistry actors)
    {
        CounterActor.Define(actors, "counter", ActorDurability.WriteThrough);
        CounterActor.Define(actors, "wb-counter", ActorDurability.WriteBehind);
        CounterActor.Define(actors, "eph-counter", ActorDurability.Ephemeral);
        actors.Add<CounterActor.State>("strict-counter", type => type
            .InitialState(_ => new CounterActor.State(0, ""))
            .On<CounterActor.Increment>((state, message, _) => state with { Count = state.Count + message.By })
            .On<CounterActor.Get, long>((state, _, _) => (state, state.Count))
            .WithPlacement(ActorPlacement.Strict));
        Cart.Define(actors, "cart", merge: true);
        Cart.Define(actors, "cart-no-merge", merge: false);
    }

    private sealed class Collect(List<PeerFrame> replies) : RingCore.Transport.ITransportReceiver
    {
        public void Receive(string node, ReadOnlyMemory<byte> payload) => replies.Add(PeerFrame.Parser.ParseFrom(payload.Span));
    }
}

/// <summary>A shopping cart whose concurrent versions merge by union: nothing added on either side of a partition is lost.</summary>
internal static class Cart
{
    public sealed record State(string[] Items);

    public sealed record Add(string Item);

    public sealed record Items;

    public static void Define(ActorRegistry actors, string name, bool merge) =>
        actors.Add<State>(name, type =>
        {
            type.InitialState(_ => new State([]))
                .On<Add>((state, message, _) => new State([.. state.Items.Append(message.Item).Distinct().Order(StringComparer.Ordinal)]))
                .On<Items, string[]>((state, _, _) => (state, state.Items));
            if (merge)
            {
                type.Merge(versions => new State([.. versions.SelectMany(v => v.Items).Distinct().Order(StringComparer.Ordinal)]));
            }
        });
}
