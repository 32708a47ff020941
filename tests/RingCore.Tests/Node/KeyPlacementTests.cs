using System.Text;
using RingCore.Actors;
using RingCore.Causality;
using RingCore.Hashing;
using RingCore.Node;
using RingCore.Ring;
using RingCore.Storage;

namespace RingCore.Tests.Node;

/// <summary>
/// Where a key lands, checked against numbers computed outside RingCore. Tests that work out a
/// key's partition with the library's own hashing and shift agree with a wrong partition
/// function; these pin it from the definition instead: a bucket's seed is XXH64 of its name
/// (seed 0), a key's ring position is XXH64 of the key with that seed, and partition i of Q holds
/// the positions from i * 2^64 / Q up to (i + 1) * 2^64 / Q.
/// </summary>
/// <remarks>
/// The expected values were computed with the xxHash project's own C library (libxxhash 0.8.1,
/// <c>XXH64(input, length, seed)</c> called from Python through ctypes) and the partition as
/// floor(position * Q / 2^64) in Python's unbounded integers, not with any code of this repository.
/// </remarks>
public sealed class KeyPlacementTests
{
    [Theory]
    [InlineData("carts", "42", 0xbf296946b7891ffeUL, 0xb4c8fd4fd791277dUL, 16, 11)]
    [InlineData("carts", "42", 0xbf296946b7891ffeUL, 0xb4c8fd4fd791277dUL, 64, 45)]
    [InlineData("carts", "42", 0xbf296946b7891ffeUL, 0xb4c8fd4fd791277dUL, 1024, 723)]
    [InlineData("b", "k", 0x78452aa11af39f9bUL, 0x0ebe90eecc3f3db4UL, 16, 0)]
    [InlineData("b", "k", 0x78452aa11af39f9bUL, 0x0ebe90eecc3f3db4UL, 64, 3)]
    [InlineData("b", "k2", 0x78452aa11af39f9bUL, 0x78efa225343c10ceUL, 64, 30)]
    [InlineData("users", "alice", 0x96579c3e7cfbd7c7UL, 0xb2ce7af7073c79d1UL, 1024, 715)]
    [InlineData("cart", "customer-42", 0x0973a3c47fd7c632UL, 0xfdafb6c704adf9dfUL, 64, 63)]
    [InlineData("page", "/index.html", 0x505f41b02e981ce7UL, 0xfe69a96e9b6935f9UL, 1024, 1017)]
    [InlineData("b", "a-much-longer-key-that-crosses-one-32-byte-stripe", 0x78452aa11af39f9bUL, 0x6c2ae7f77d764c86UL, 64, 27)]
    public void A_keys_seed_position_and_partition_are_the_ones_the_definition_gives(string bucket, string key, ulong seed, ulong position,
        int partitionCount, int partition)
    {
        Assert.Equal(seed, KeyPosition.SeedOf(Encoding.UTF8.GetBytes(bucket)));
        Assert.Equal(position, KeyPosition.Of(Encoding.UTF8.GetBytes(bucket), Encoding.UTF8.GetBytes(key)));
        var ring = RingState.FromOwners(partitionCount, [new RingMember("n1", MemberStatus.Valid)], [.. Enumerable.Repeat("n1", partitionCount)]);
        Assert.Equal(partition, ring.PartitionOf(position));
        Assert.Equal(partition, PartitionMath.PartitionOf(position, PartitionMath.ShiftFor(partitionCount)));
    }

    [Theory]
    [InlineData("carts", "42", 64, 45)]
    [InlineData("b", "k", 16, 0)]
    [InlineData("b", "k2", 64, 30)]
    [InlineData("users", "alice", 1024, 715)]
    public async Task A_stored_key_lands_in_the_store_of_its_partition_and_no_other(string bucket, string key, int partitionCount, int partition)
    {
        var storage = new MemoryVNodeStoreProvider();
        await using (var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = partitionCount }, services: new RingNodeServices { Storage = storage }))
        {
            await node.PutAsync(bucket, key, "v"u8.ToArray(), CausalContext.Empty);
            Assert.Equal(["v"], (await node.GetAsync(bucket, key)).Values.Select(v => Encoding.UTF8.GetString(v.Span)));
        }

        Assert.Equal(new[] { partition }, await PartitionsHolding(storage, partitionCount, bucket, key));
    }

    [Fact]
    public async Task An_actors_state_lands_in_the_partition_of_its_type_and_key()
    {
        var storage = new MemoryVNodeStoreProvider();
        await using (var node = await RingNode.StartAsync(new RingNodeOptions { PartitionCount = 64 }, actors =>
            actors.Add<Counter>("cart", type => type
                .InitialState(_ => new Counter(0))
                .On<Increment, long>((counter, _, _) => (new Counter(counter.Value + 1), counter.Value + 1))
                .WithDurability(ActorDurability.WriteThrough)), new RingNodeServices { Storage = storage }))
        {
            Assert.Equal(1, await node.GetActor("cart", "customer-42").Ask<long>(new Increment()));
        }

        // The actor type's name seeds the key, as a bucket's does: "cart"/"customer-42" is partition 63 of 64.
        Assert.Equal(new[] { 63 }, await PartitionsHolding(storage, 64, "cart", "customer-42"));
    }

    /// <summary>The partitions whose store holds a user key that ends with the bucket's name and the key (the stored key format).</summary>
    private static async Task<int[]> PartitionsHolding(MemoryVNodeStoreProvider storage, int partitionCount, string bucket, string key)
    {
        byte[] tail = Encoding.UTF8.GetBytes(bucket + key);
        var holding = new List<int>();
        for (int p = 0; p < partitionCount; p++)
        {
            await foreach (var entry in (await storage.OpenAsync(p)).FoldAsync())
            {
                if (EndsWith(entry.Key, tail))
                {
                    holding.Add(p);
                }
            }
        }

        return [.. holding];
    }

    private static bool EndsWith(ReadOnlyMemory<byte> storeKey, byte[] tail) => storeKey.Span.EndsWith(tail);

    public sealed record Counter(long Value);

    public sealed record Increment;
}
