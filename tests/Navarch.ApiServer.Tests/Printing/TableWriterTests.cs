using System.Buffers;
using System.Text.Json;
using k8s;
using k8s.Models;
using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Tests.Printing;

public sealed class TableWriterTests
{
    private static V1ConfigMap ConfigMap(string name) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "default",
            Uid = "uid-" + name,
            ResourceVersion = "42",
            CreationTimestamp = PrintedRow.Ago(TimeSpan.FromMinutes(3)),
            Labels = new Dictionary<string, string> { ["app"] = "web" },
        },
        Data = new Dictionary<string, string> { ["k"] = "v" },
    };

    private static JsonDocument Write(
        IReadOnlyList<IKubernetesObject<V1ObjectMeta>> objects, TableListMeta meta, IncludeObjectPolicy include, bool columns = true)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            TableWriter.Write(writer, new ConfigMapTableConvertor(), objects, meta, include, PrintedRow.Now, columns);
        }

        return JsonDocument.Parse(buffer.WrittenMemory);
    }

    [Fact]
    public void Write_List_WritesTableWithColumnsRowsAndListMeta()
    {
        using var doc = Write([ConfigMap("a"), ConfigMap("b")], new TableListMeta("42", "token", 5), IncludeObjectPolicy.Metadata);
        var root = doc.RootElement;

        Assert.Equal("Table", root.GetProperty("kind").GetString());
        Assert.Equal("meta.k8s.io/v1", root.GetProperty("apiVersion").GetString());
        var meta = root.GetProperty("metadata");
        Assert.Equal("42", meta.GetProperty("resourceVersion").GetString());
        Assert.Equal("token", meta.GetProperty("continue").GetString());
        Assert.Equal(5, meta.GetProperty("remainingItemCount").GetInt64());

        var columns = root.GetProperty("columnDefinitions").EnumerateArray().ToList();
        Assert.Equal(["Name", "Data", "Age"], columns.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal("name", columns[0].GetProperty("format").GetString());
        Assert.Equal("string", columns[1].GetProperty("type").GetString());
        Assert.Equal("", columns[1].GetProperty("format").GetString());
        Assert.False(string.IsNullOrEmpty(columns[2].GetProperty("description").GetString()));
        Assert.Equal(0, columns[2].GetProperty("priority").GetInt32());

        var rows = root.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        var cells = rows[0].GetProperty("cells");
        Assert.Equal("a", cells[0].GetString());
        Assert.Equal(1, cells[1].GetInt64());
        Assert.Equal("3m", cells[2].GetString());
    }

    [Fact]
    public void Write_DefaultMetadataPolicy_EmbedsPartialObjectMetadata()
    {
        using var doc = Write([ConfigMap("a")], new TableListMeta("42"), IncludeObjectPolicy.Metadata);

        var obj = doc.RootElement.GetProperty("rows")[0].GetProperty("object");
        Assert.Equal("PartialObjectMetadata", obj.GetProperty("kind").GetString());
        Assert.Equal("meta.k8s.io/v1", obj.GetProperty("apiVersion").GetString());
        var meta = obj.GetProperty("metadata");
        Assert.Equal("a", meta.GetProperty("name").GetString());
        Assert.Equal("default", meta.GetProperty("namespace").GetString());
        Assert.Equal("uid-a", meta.GetProperty("uid").GetString());
        Assert.Equal("web", meta.GetProperty("labels").GetProperty("app").GetString());
        Assert.False(obj.TryGetProperty("data", out _));
    }

    [Fact]
    public void Write_ObjectPolicy_EmbedsWholeObject()
    {
        using var doc = Write([ConfigMap("a")], new TableListMeta("42"), IncludeObjectPolicy.Object);

        var obj = doc.RootElement.GetProperty("rows")[0].GetProperty("object");
        Assert.Equal("ConfigMap", obj.GetProperty("kind").GetString());
        Assert.Equal("v1", obj.GetProperty("apiVersion").GetString());
        Assert.Equal("v", obj.GetProperty("data").GetProperty("k").GetString());
    }

    [Fact]
    public void Write_NonePolicy_OmitsObject()
    {
        using var doc = Write([ConfigMap("a")], new TableListMeta("42"), IncludeObjectPolicy.None);

        Assert.False(doc.RootElement.GetProperty("rows")[0].TryGetProperty("object", out _));
    }

    [Fact]
    public void Write_WithoutColumnDefinitions_WritesNullAsLaterWatchEventsDo()
    {
        using var doc = Write([ConfigMap("a")], new TableListMeta("43"), IncludeObjectPolicy.Metadata, columns: false);

        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("columnDefinitions").ValueKind);
        Assert.Single(doc.RootElement.GetProperty("rows").EnumerateArray());
    }

    [Fact]
    public void Write_EmptyListWithoutOptionalMeta_WritesEmptyRowsAndOnlyResourceVersion()
    {
        using var doc = Write([], new TableListMeta("7"), IncludeObjectPolicy.Metadata);
        var meta = doc.RootElement.GetProperty("metadata");

        Assert.Equal(JsonValueKind.Array, doc.RootElement.GetProperty("rows").ValueKind);
        Assert.Empty(doc.RootElement.GetProperty("rows").EnumerateArray());
        Assert.Equal(["resourceVersion"], meta.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Write_BooleanAndIntegerCells_KeepTheirJsonTypes()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var priorityClass = new V1PriorityClass { Metadata = PrintedRow.Meta("high"), Value = 1000, GlobalDefault = true };
        using (var writer = new Utf8JsonWriter(buffer))
        {
            TableWriter.Write(writer, new PriorityClassTableConvertor(), [priorityClass], new TableListMeta("1"), IncludeObjectPolicy.None, PrintedRow.Now);
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        var cells = doc.RootElement.GetProperty("rows")[0].GetProperty("cells");
        Assert.Equal(1000, cells[1].GetInt64());
        Assert.Equal(JsonValueKind.True, cells[2].ValueKind);
    }

    [Theory]
    [InlineData(null, IncludeObjectPolicy.Metadata, true)]
    [InlineData("", IncludeObjectPolicy.Metadata, true)]
    [InlineData("Metadata", IncludeObjectPolicy.Metadata, true)]
    [InlineData("None", IncludeObjectPolicy.None, true)]
    [InlineData("Object", IncludeObjectPolicy.Object, true)]
    [InlineData("object", IncludeObjectPolicy.Metadata, false)]
    public void TryParseIncludeObject_AcceptsOnlyKubernetesValues(string? value, IncludeObjectPolicy expected, bool ok)
    {
        Assert.Equal(ok, TableWriter.TryParseIncludeObject(value, out var policy));
        Assert.Equal(expected, policy);
    }
}
