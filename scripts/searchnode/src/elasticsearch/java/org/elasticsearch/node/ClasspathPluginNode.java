package org.elasticsearch.node;

import java.util.Collection;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * A Node built the way the test framework's MockNode builds one: the public constructor wants
 * a PluginsLoader over directories, the package-private one accepts a NodeServiceProvider, which
 * lets us hand in a PluginsService made of classpath plugin classes.
 */
public class ClasspathPluginNode extends Node {

    public ClasspathPluginNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
        super(NodeConstruction.prepareConstruction(env, null, new NodeServiceProvider() {
            @Override
            PluginsService newPluginService(Environment environment, PluginsLoader loader) {
                return new ClasspathPluginsService(environment, plugins);
            }
        }, true));
    }
}
