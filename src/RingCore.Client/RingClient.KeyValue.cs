using System.Text;
using Google.Protobuf;
using RingCore.Grpc.Client;

namespace RingCore.Client;

/// <summary>Key/value: get, put and delete with siblings and an opaque causal context (Dynamo section 4.4).</summary>
public sealed partial class RingClient
{
    /// <summary>Reads a key: every sibling value and the context to write it back with.</summary>
    /// <param name="bucket">The bucket (not empty).</param>
    /// <param name="key">The key's bytes (not empty).</param>
    /// <param name="quorum">R and PR overrides; null for the bucket's.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <exception cref="RingClientException">The call failed; the subclass says how.</exception>
    public async Task<RingGetResult> GetAsync(string bucket, ReadOnlyMemory<byte> key, RingQuorum? quorum = null, CancellationToken cancellationToken = default)
    {
        var request = new GetRequest { Bucket = CheckBucket(bucket), Key = CheckKey(key), Quorum = quorum?.ToMessage() };
        var reply = await CallAsync((node, options) => node.Kv.GetAsync(request, options), cancellationToken).ConfigureAwait(false);
        return new RingGetResult(reply.Found, Values(reply.Values), reply.Context.Memory);
    }

    /// <summary>Reads a key given as text (its UTF-8 bytes).</summary>
    /// <inheritdoc cref="GetAsync(string, ReadOnlyMemory{byte}, RingQuorum?, CancellationToken)"/>
    public Task<RingGetResult> GetAsync(string bucket, string key, RingQuorum? quorum = null, CancellationToken cancellationToken = default) =>
        GetAsync(bucket, Utf8(key), quorum, cancellationToken);

    /// <summary>
    /// Writes a value. With the context of the last get the value replaces what that get saw;
    /// with an empty context (a new key) it is added next to any value already there, as a sibling.
    /// </summary>
    /// <param name="bucket">The bucket (not empty).</param>
    /// <param name="key">The key's bytes (not empty).</param>
    /// <param name="value">The value.</param>
    /// <param name="context">The context from <see cref="RingGetResult.Context"/>, or empty for a new key.</param>
    /// <param name="returnBody">Whether the reply carries the siblings after the write (riak's return_body).</param>
    /// <param name="quorum">W and PW overrides; null for the bucket's.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <exception cref="RingClientException">The call failed; the subclass says how.</exception>
    public async Task<RingPutResult> PutAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, ReadOnlyMemory<byte> context = default,
        bool returnBody = false, RingQuorum? quorum = null, CancellationToken cancellationToken = default)
    {
        var request = new PutRequest
        {
            Bucket = CheckBucket(bucket),
            Key = CheckKey(key),
            Value = ByteString.CopyFrom(value.Span),
            Context = ByteString.CopyFrom(context.Span),
            ReturnBody = returnBody,
            Quorum = quorum?.ToMessage(),
        };
        var reply = await CallAsync((node, options) => node.Kv.PutAsync(request, options), cancellationToken).ConfigureAwait(false);
        return new RingPutResult(reply.Context.Memory, Values(reply.Values));
    }

    /// <summary>Writes a value under a key given as text (its UTF-8 bytes).</summary>
    /// <inheritdoc cref="PutAsync(string, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, bool, RingQuorum?, CancellationToken)"/>
    public Task<RingPutResult> PutAsync(string bucket, string key, ReadOnlyMemory<byte> value, ReadOnlyMemory<byte> context = default,
        bool returnBody = false, RingQuorum? quorum = null, CancellationToken cancellationToken = default) =>
        PutAsync(bucket, Utf8(key), value, context, returnBody, quorum, cancellationToken);

    /// <summary>Deletes a key (a tombstone, reaped once every replica has it). The context of the last get makes the delete replace what it saw.</summary>
    /// <param name="bucket">The bucket (not empty).</param>
    /// <param name="key">The key's bytes (not empty).</param>
    /// <param name="context">The context from <see cref="RingGetResult.Context"/>.</param>
    /// <param name="quorum">W and PW overrides; null for the bucket's.</param>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <exception cref="RingClientException">The call failed; the subclass says how.</exception>
    public async Task DeleteAsync(string bucket, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> context = default, RingQuorum? quorum = null,
        CancellationToken cancellationToken = default)
    {
        var request = new DeleteRequest { Bucket = CheckBucket(bucket), Key = CheckKey(key), Context = ByteString.CopyFrom(context.Span), Quorum = quorum?.ToMessage() };
        await CallAsync((node, options) => node.Kv.DeleteAsync(request, options), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a key given as text (its UTF-8 bytes).</summary>
    /// <inheritdoc cref="DeleteAsync(string, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, RingQuorum?, CancellationToken)"/>
    public Task DeleteAsync(string bucket, string key, ReadOnlyMemory<byte> context = default, RingQuorum? quorum = null, CancellationToken cancellationToken = default) =>
        DeleteAsync(bucket, Utf8(key), context, quorum, cancellationToken);

    private static string CheckBucket(string bucket)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        return bucket;
    }

    private static ByteString CheckKey(ReadOnlyMemory<byte> key)
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("The key must not be empty.", nameof(key));
        }

        return ByteString.CopyFrom(key.Span);
    }

    private static ReadOnlyMemory<byte> Utf8(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Encoding.UTF8.GetBytes(key);
    }

    private static ReadOnlyMemory<byte>[] Values(Google.Protobuf.Collections.RepeatedField<ByteString> values)
    {
        var result = new ReadOnlyMemory<byte>[values.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = values[i].Memory;
        }

        return result;
    }
}
