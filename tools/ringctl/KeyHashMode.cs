namespace RingCore.Tools.RingCtl;

/// <summary>How <c>ringctl locate</c> turns a key into a partition.</summary>
internal enum KeyHashMode
{
    /// <summary>RingCore's own routing: XxHash64 of the key, its top log2(Q) bits.</summary>
    XxHash,

    /// <summary>Riak's: SHA-1 of term_to_binary({Bucket, Key}), riak_core's chash partition.</summary>
    Riak,
}
