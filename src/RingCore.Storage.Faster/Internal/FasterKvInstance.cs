using FASTER.core;

namespace RingCore.Storage.Faster.Internal;

/// <summary>
/// One partition's FASTER key-value store and the two log devices it writes: the main log of
/// fixed 24-byte records (<c>hlog.log.&lt;segment&gt;</c>) and the object log holding their keys
/// and values (<c>hlog.obj.log.&lt;segment&gt;</c>). Object values rather than FASTER's SpanByte
/// because a record must fit in one log page: objects up to 16 MiB
/// (<see cref="StorageLimits.MaxObjectBytes"/>) would need 32 MiB pages, and a node with 64
/// partitions cannot spend 64 x 32 MiB on pages.
/// </summary>
internal sealed class FasterKvInstance : IDisposable
{
    /// <summary>log2 of a log segment file's size (1 GiB, FASTER's default; files grow as written, nothing is preallocated).</summary>
    public const int SegmentSizeBits = 30;

    public const string LogFileName = "hlog.log";

    public const string ObjectLogFileName = "hlog.obj.log";

    private readonly IDevice _log;
    private readonly IDevice _objectLog;
    private bool _disposed;

    private FasterKvInstance(IDevice log, IDevice objectLog, FasterKV<byte[], byte[]> kv)
    {
        _log = log;
        _objectLog = objectLog;
        Kv = kv;
    }

    public FasterKV<byte[], byte[]> Kv { get; }

    public static FasterKvInstance Create(string directory, FasterStorageOptions options)
    {
        var log = Devices.CreateLogDevice(Path.Combine(directory, LogFileName), preallocateFile: false);
        var objectLog = Devices.CreateLogDevice(Path.Combine(directory, ObjectLogFileName), preallocateFile: false);
        try
        {
            var settings = new FasterKVSettings<byte[], byte[]>(null, false, null)
            {
                IndexSize = options.IndexSize,
                PageSize = options.LogPageSize,
                MemorySize = options.LogMemorySize,
                SegmentSize = 1L << SegmentSizeBits,
                LogDevice = log,
                ObjectLogDevice = objectLog,
                KeySerializer = static () => new FasterByteArraySerializer(),
                ValueSerializer = static () => new FasterByteArraySerializer(),
                EqualityComparer = FasterKeyComparer.Instance,
                CheckpointDir = directory,

                // Keep only the newest log checkpoint (and the newest index checkpoints), so a
                // partition's directory does not grow by one checkpoint per group commit.
                RemoveOutdatedCheckpoints = true,

                // Recovery is explicit (FasterVNodeStore.OpenAsync) so that a failure is reported,
                // where TryRecoverLatest would swallow it and start empty.
                TryRecoverLatest = false,

                // A read of an old record must not append a copy to the log: the log only grows by writes.
                ReadCopyOptions = ReadCopyOptions.None,
            };
            return new FasterKvInstance(log, objectLog, new FasterKV<byte[], byte[]>(settings));
        }
        catch
        {
            log.Dispose();
            objectLog.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Kv.Dispose();
        }
        finally
        {
            _log.Dispose();
            _objectLog.Dispose();
        }
    }
}
