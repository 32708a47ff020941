using RingCore.Storage;

namespace RingCore.Actors;

/// <summary>Actor state in one vnode's own store (a single node): one version, no causal context.</summary>
internal sealed class VNodeActorStateStore(IVNodeStore store) : IActorStateStore
{
    public async ValueTask<ActorStateRead> ReadAsync(ActorType type, byte[] key)
    {
        var stored = await store.GetAsync(type.StoreKey(key)).ConfigureAwait(false);
        return new ActorStateRead(stored is null ? [] : [stored.Value], null);
    }

    public async ValueTask<ActorStateWrite> WriteAsync(ActorType type, byte[] key, byte[] state, object? context)
    {
        await store.PutAsync(type.StoreKey(key), new StoredObject(state)).ConfigureAwait(false);
        return new ActorStateWrite(null, []);
    }

    public ActorStateWrite? AfterFailedWrite(Exception failure, byte[] attempted) => null;

    public ValueTask DisposeAsync() => store.DisposeAsync();
}
