using Microsoft.Extensions.Logging;
using RingCore.Diagnostics;
using RingCore.Membership;
using RingCore.Ring;

namespace RingCore.Node;

/// <summary>
/// Keeps a node's <see cref="RingNodeOptions.RingFile"/> up to date: every ring the node routes
/// by is offered here, and one writer at a time saves the newest one not saved yet, off the thread
/// that changed the ring (gossip must not wait for a disk).
/// </summary>
internal sealed class RingFileWriter(string path, string node, ILogger logger, RingCoreMetrics metrics)
{
    private readonly object _gate = new();
    private RingState? _next;
    private ulong _savedHash;
    private long _savedVersion = -1;
    private Task _writing = Task.CompletedTask;

    /// <summary>Saves <paramref name="ring"/> soon, unless the file holds it already.</summary>
    public void Offer(RingState ring)
    {
        lock (_gate)
        {
            if (_next is null && ring.Version == _savedVersion && ring.ContentHash == _savedHash)
            {
                return;
            }

            bool idle = _next is null;
            _next = ring;
            if (idle)
            {
                _writing = Task.Run(WriteAsync);
            }
        }
    }

    /// <summary>Waits until the newest ring offered is saved (a stopping node's last act for its ring).</summary>
    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _writing;
        }
    }

    private Task WriteAsync()
    {
        while (true)
        {
            RingState ring;
            lock (_gate)
            {
                if (_next is null)
                {
                    return Task.CompletedTask;
                }

                ring = _next;
            }

            try
            {
                RingFile.Save(path, ring);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                RingCoreLog.RingSaveFailed(logger, error, node, ring.Version, path);
                metrics.Count(metrics.RingSaveFailures);
            }

            lock (_gate)
            {
                _savedVersion = ring.Version;
                _savedHash = ring.ContentHash;
                if (ReferenceEquals(_next, ring))
                {
                    _next = null;
                    return Task.CompletedTask;
                }
            }
        }
    }
}
