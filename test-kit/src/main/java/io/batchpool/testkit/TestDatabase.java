package io.batchpool.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Databases on the machine's PostgreSQL (127.0.0.1:5432, user postgres, trust auth; override with
 * {@code BATCHPOOL_PG_URL}). Each test suite gets its own database, created on first use. {@code
 * BATCHPOOL_TEST_DB_SUFFIX} is appended to every name, so two checkouts can run their suites at once.
 */
public final class TestDatabase {
    private TestDatabase() {
    }

    public static String server() {
        return System.getenv().getOrDefault("BATCHPOOL_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    }

    public static String user() {
        return System.getenv().getOrDefault("BATCHPOOL_PG_USER", "postgres");
    }

    /** Creates the database if missing and returns its JDBC URL. */
    public static String ensure(String name) {
        name = name + System.getenv().getOrDefault("BATCHPOOL_TEST_DB_SUFFIX", "");
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("bad database name " + name);
        }
        try (Connection c = DriverManager.getConnection(server() + "postgres", user(), "");
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
                if (!rs.next()) {
                    s.execute("create database " + name);
                }
            }
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // created concurrently
                throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
            }
        }
        return server() + name;
    }

    /** Drops and re-creates the database: a clean start for an end-to-end run. */
    public static String recreate(String name) {
        ensure(name);
        name = name + System.getenv().getOrDefault("BATCHPOOL_TEST_DB_SUFFIX", "");
        try (Connection c = DriverManager.getConnection(server() + "postgres", user(), "");
             Statement s = c.createStatement()) {
            s.execute("drop database if exists " + name + " with (force)");
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot re-create database " + name + ": " + e.getMessage(), e);
        }
        return server() + name;
    }
}
