using RingCore.Storage;

namespace RingCore.Tests.Actors;

/// <summary>
/// Memory stores a test can script: it counts puts, can hold every put until the test opens a
/// gate, and can fail puts, so a test sees exactly how many writes an actor made and when.
/// </summary>
internal sealed class ScriptedStoreProvider : IVNodeStoreProvider
{
    private readonly MemoryVNodeStoreProvider _inner = new();
    private TaskCompletionSource _gate = Opened();
    private int _puts;

    private readonly System.Collections.Concurrent.ConcurrentQueue<byte[]> _putKeys = new();

    /// <summary>Puts made (completed or held) since the start.</summary>
    public int Puts => Volatile.Read(ref _puts);

    /// <summary>Puts of keys that hold <paramref name="name"/> (an actor type's bucket): the vnodes' own records left out.</summary>
    public int PutsTo(string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        return _putKeys.Count(key => key.AsSpan().IndexOf(bytes) >= 0);
    }

    /// <summary>When set, every put fails with this message (after the gate).</summary>
    public volatile string? FailWith;

    /// <summary>Holds every put from now on until <see cref="Open"/>.</summary>
    public void Close() => Volatile.Write(ref _gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Open() => Volatile.Read(ref _gate).TrySetResult();

    public async ValueTask<IVNodeStore> OpenAsync(int partition, CancellationToken cancellationToken = default) =>
        new Store(await _inner.OpenAsync(partition, cancellationToken), this);

    private static TaskCompletionSource Opened()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    private sealed class Store(IVNodeStore inner, ScriptedStoreProvider owner) : IVNodeStore
    {
        public int Partition => inner.Partition;

        public ValueTask<StoredObject?> GetAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public async ValueTask PutAsync(ReadOnlyMemory<byte> key, StoredObject value, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref owner._puts);
            owner._putKeys.Enqueue(key.ToArray());
            await Volatile.Read(ref owner._gate).Task.WaitAsync(cancellationToken);
            if (owner.FailWith is { } why)
            {
                throw new IOException(why);
            }

            await inner.PutAsync(key, value, cancellationToken);
        }

        public ValueTask<bool> DeleteAsync(ReadOnlyMemory<byte> key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

        public IAsyncEnumerable<StoredEntry> FoldAsync(CancellationToken cancellationToken = default) => inner.FoldAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
