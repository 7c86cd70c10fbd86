using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IronAspire.AgentSupervisor.Migrations
{
    /// <inheritdoc />
    public partial class AgentLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Null: no limit, as for every agent created before rate limits existed.
            migrationBuilder.AddColumn<int>(
                name: "RequestsPerMinute",
                table: "agents",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "TokensPerMinute",
                table: "agents",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaxConcurrent",
                table: "agents",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "RequestsPerMinute", table: "agents");
            migrationBuilder.DropColumn(name: "TokensPerMinute", table: "agents");
            migrationBuilder.DropColumn(name: "MaxConcurrent", table: "agents");
        }
    }
}
