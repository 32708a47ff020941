using System.Buffers.Binary;
using Google.Protobuf;
using RingCore.Hashing;
using RingCore.Protocol;
using RingCore.Ring;

namespace RingCore.Membership;

/// <summary>
/// A ring kept in a file (riak_core's ring_state_dir): a node that writes its ring there after
/// every change (<c>RingNodeOptions.RingFile</c>) starts again, after a restart or a
/// crash, in the cluster it was in instead of alone. The file is replaced atomically (written
/// beside it, flushed, renamed over it), so a crash leaves the old ring or the new one, never half.
/// </summary>
public static class RingFile
{
    // "RCRING" and a format byte; then the XXH64 of the ring's bytes, then the ring (RingMessage).
    private static ReadOnlySpan<byte> Magic => "RCRING\0\u0001"u8;

    private const int HeaderBytes = 16;

    /// <summary>The ring in <paramref name="path"/>; null when there is no such file.</summary>
    /// <exception cref="InvalidDataException">The file is not a ring file, is cut short or damaged, or holds an invalid ring (the message says which).</exception>
    public static RingState? Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{path}' is not a RingCore ring file.");
        }

        var body = bytes.AsSpan(HeaderBytes);
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(Magic.Length)) != XxHash64.Hash(body))
        {
            throw new InvalidDataException($"The ring file '{path}' is damaged (its checksum does not match).");
        }

        try
        {
            return RingCodec.Decode(RingMessage.Parser.ParseFrom(body));
        }
        catch (InvalidProtocolBufferException error)
        {
            throw new InvalidDataException($"The ring file '{path}' does not hold a ring: {error.Message}", error);
        }
        catch (InvalidDataException error)
        {
            throw new InvalidDataException($"The ring file '{path}' holds {error.Message}.", error);
        }
    }

    /// <summary>Writes <paramref name="ring"/> to <paramref name="path"/>, replacing the file atomically; creates the directory.</summary>
    public static void Save(string path, RingState ring)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(ring);
        byte[] body = RingCodec.Encode(ring).ToByteArray();
        byte[] bytes = new byte[HeaderBytes + body.Length];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(Magic.Length), XxHash64.Hash(body));
        body.CopyTo(bytes.AsSpan(HeaderBytes));

        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temporary = full + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, full, overwrite: true);
    }
}
