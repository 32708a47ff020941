using RingCore.Causality;
using Xunit.Abstractions;

namespace RingCore.Tests.Causality;

/// <summary>
/// The sibling-explosion pattern that dotted version vectors fix: two clients, X and Y,
/// alternately write the same key, each with a stale context, for 101 rounds. With per-replica
/// version vectors and no dots (riak_kv 1.4 with vnode_vclocks), every write is added as one
/// more sibling; with dotted version vector sets the siblings stay at the number of truly
/// concurrent writes, two.
/// </summary>
/// <remarks>
/// <para>
/// The pattern is the one of R. Brown's post "Dotted Version Vectors In Riak" (its part
/// "Sibling Explosion"), also discussed in Almeida et al., DAIS 2014 and Preguiça
/// et al. 2010 (one clock entry per server cannot tell a server's clients apart).
/// What is implemented, per round r = 1..101:
/// </para>
/// <list type="bullet">
/// <item><c>OwnPreviousWrite</c> (the blog's example): X writes "x{r}" with the context of the
/// reply to its own previous write (return_body; none on the first write), then Y writes
/// "y{r}" the same way. Each context has seen the client's own last value and whatever was
/// stored with it, but not the other client's newer value.</item>
/// <item><c>ReadBeforeWrites</c>: X and Y both read, then X writes "x{r}" and Y writes
/// "y{r}", each with the context of its own read, so Y's context misses X's new value.</item>
/// </list>
/// <para>
/// With one coordinator every write goes to replica A. With two, X's writes go to A and Y's to
/// B, and after each write the coordinator replicates its new set to the other replica (sync),
/// as a put's W replies and read repair would; a read is served by the client's coordinator.
/// </para>
/// </remarks>
public sealed class SiblingExplosionTests(ITestOutputHelper output)
{
    private const int Rounds = 101;

    private static readonly ReplicaId A = ReplicaId.Create("node-a", 7, 1);
    private static readonly ReplicaId B = ReplicaId.Create("node-b", 7, 1);

    public enum ContextSource
    {
        OwnPreviousWrite,
        ReadBeforeWrites,
    }

    [Theory]
    [InlineData(1, ContextSource.OwnPreviousWrite)]
    [InlineData(2, ContextSource.OwnPreviousWrite)]
    [InlineData(1, ContextSource.ReadBeforeWrites)]
    [InlineData(2, ContextSource.ReadBeforeWrites)]
    public void Two_clients_writing_alternately_for_101_rounds_leave_at_most_3_siblings(int coordinators, ContextSource source)
    {
        var replicas = new DottedKeyReplicas(A, B);
        var (most, final) = Play(replicas, coordinators, source);

        output.WriteLine($"dotted version vector sets, {coordinators} coordinator(s), {source}: at most {most} siblings, " +
            $"final [{string.Join(", ", final)}]");
        Assert.True(most <= 3, $"{most} siblings");

        // Exactly the last write of each client survives: neither saw the other's.
        Assert.Equal(["x101", "y101"], final.Order());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Per_replica_version_vectors_without_dots_explode_in_the_same_pattern(int coordinators)
    {
        var replicas = new VersionVectorOnlyKeyReplicas(A, B);
        var (most, final) = Play(replicas, coordinators, ContextSource.OwnPreviousWrite);

        output.WriteLine($"version vectors without dots, {coordinators} coordinator(s): at most {most} siblings");

        // One sibling per write: 2 * 101, every value ever written, although each client's write
        // had seen (and meant to replace) its own previous one.
        Assert.Equal(2 * Rounds, most);
        Assert.Equal(2 * Rounds, final.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Per_replica_version_vectors_without_dots_do_not_explode_when_every_write_follows_a_read(int coordinators)
    {
        // The contrast: a read returns every sibling and the whole clock, so a context from a
        // read covers all of them. The explosion needs contexts that saw only part of the siblings.
        var replicas = new VersionVectorOnlyKeyReplicas(A, B);
        var (most, _) = Play(replicas, coordinators, ContextSource.ReadBeforeWrites);

        output.WriteLine($"version vectors without dots, {coordinators} coordinator(s), reads before writes: at most {most} siblings");
        Assert.True(most <= 3, $"{most} siblings");
    }

    private static (int Most, IReadOnlyList<string> Final) Play(IKeyReplicas replicas, int coordinators, ContextSource source)
    {
        const int X = 0, Y = 1;
        int[] coordinatorOf = [0, coordinators == 2 ? 1 : 0];
        var context = new[] { VersionVector.Empty, VersionVector.Empty };
        int most = 0;
        for (int round = 1; round <= Rounds; round++)
        {
            if (source == ContextSource.ReadBeforeWrites)
            {
                context[X] = replicas.Read(coordinatorOf[X]);
                context[Y] = replicas.Read(coordinatorOf[Y]);
            }

            foreach (int client in (ReadOnlySpan<int>)[X, Y])
            {
                int replica = coordinatorOf[client];
                var reply = replicas.Put(replica, context[client], $"{(client == X ? 'x' : 'y')}{round}");
                if (source == ContextSource.OwnPreviousWrite)
                {
                    context[client] = reply;
                }

                most = Math.Max(most, replicas.Values(replica).Count);
                if (coordinators == 2)
                {
                    replicas.Replicate(replica, 1 - replica);
                    most = Math.Max(most, replicas.Values(1 - replica).Count);
                }
            }
        }

        return (most, replicas.Values(coordinatorOf[Y]));
    }
}
