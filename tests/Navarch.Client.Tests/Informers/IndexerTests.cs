using System.Buffers;
using System.Text;
using k8s.Models;
using Navarch.Client.Informers;
using Navarch.Client.Tests.Support;

namespace Navarch.Client.Tests.Informers;

public sealed class IndexerTests
{
    private static V1Pod Pod(string ns, string name, string? node)
    {
        var pod = Objects.Pod(name, node);
        pod.Metadata.NamespaceProperty = ns;
        return pod;
    }

    [Fact]
    public void ByIndex_SingleValueIndex_FollowsUpdatesAndRemoves()
    {
        var indexer = new Indexer<V1Pod>();
        indexer.AddIndex("node", p => p.Spec.NodeName);
        indexer.Upsert(Pod("a", "p1", "n1"));
        indexer.Upsert(Pod("a", "p2", null));
        Assert.Equal(["p1"], indexer.ByIndex("node", "n1").Select(p => p.Metadata.Name));

        indexer.Upsert(Pod("a", "p2", "n1"));
        indexer.Upsert(Pod("a", "p1", "n2"));
        Assert.Equal(["p2"], indexer.ByIndex("node", "n1").Select(p => p.Metadata.Name));
        Assert.Equal(["p1"], indexer.ByIndex("node", "n2").Select(p => p.Metadata.Name));

        indexer.Remove("a/p1");
        Assert.Empty(indexer.ByIndex("node", "n2"));
        Assert.Equal(["n1"], indexer.ListIndexValues("node"));
    }

    [Fact]
    public void AddIndex_AfterObjectsExist_IndexesThemAndMultiValueIndexesWork()
    {
        var indexer = new Indexer<V1Pod>();
        var pod = Pod("b", "p", "n");
        pod.Metadata.Labels = new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" };
        indexer.Upsert(pod);
        indexer.AddIndex("labelKeys", p => p.Metadata.Labels?.Keys ?? Enumerable.Empty<string>());
        Assert.Single(indexer.ByIndex("labelKeys", "x"));
        Assert.Single(indexer.ByIndex("labelKeys", "y"));
        Assert.Equal(["b/p"], indexer.IndexKeys(Indexer<V1Pod>.NamespaceIndex, "b"));
        Assert.Throws<InvalidOperationException>(() => indexer.AddIndex("labelKeys", p => p.Metadata.Name));
        Assert.Throws<KeyNotFoundException>(() => indexer.ByIndex("missing", "x"));
    }

    [Fact]
    public void ObjectKeys_RoundTripNamespacedAndClusterScopedKeys()
    {
        Assert.Equal("ns/name", ObjectKeys.KeyOf(Pod("ns", "name", null)));
        Assert.Equal(("ns", "name"), ObjectKeys.Split("ns/name"));
        Assert.Equal(("", "node-1"), ObjectKeys.Split("node-1"));
        Assert.Throws<FormatException>(() => ObjectKeys.Split("a/b/c"));
    }

    [Fact]
    public void WatchFrame_ErrorEvent_CarriesTheStatusCode()
    {
        var line = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(
            """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (9)","reason":"Expired","code":410}}"""));
        var frame = WatchFrame<V1Pod>.Parse(line);
        Assert.Equal("ERROR", frame.Type);
        Assert.Equal(410, frame.Status?.Code);
        Assert.Null(frame.Object);
    }

    [Fact]
    public void WatchFrame_ModifiedEvent_ParsesTheObject()
    {
        var line = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(
            """{"type":"MODIFIED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"d","resourceVersion":"12"},"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"250m"}}}]}}}"""));
        var frame = WatchFrame<V1Pod>.Parse(line);
        Assert.Equal("MODIFIED", frame.Type);
        Assert.Equal("12", frame.Object?.Metadata.ResourceVersion);
        Assert.Equal("250m", frame.Object?.Spec.Containers[0].Resources.Requests["cpu"].ToString());
    }
}
