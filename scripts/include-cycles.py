#!/usr/bin/env python3
"""include-cycles.py - print include cycles between modules (daemon/, proto/,
rules/, client/): a module is foo.c + foo.h; foo includes bar when either
file includes bar.h.  Issue 17 asks for none.  Exit 1 when any is found."""
import os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import re,glob,os,sys
sys.setrecursionlimit(10000)
mods={}
for f in glob.glob('daemon/*.[ch]')+glob.glob('proto/*.[ch]')+glob.glob('rules/*.[ch]')+glob.glob('client/*.[ch]'):
    m=os.path.splitext(f)[0]
    mods.setdefault(m,set())
    for inc in re.findall(r'#include "([^"]+)"', open(f).read()):
        base=os.path.splitext(inc)[0]
        for d in ('daemon','proto','rules','client'):
            if os.path.exists(f'{d}/{inc}'):
                t=f'{d}/{base}'
                if t!=m: mods[m].add(t)
idx={};low={};st=[];on=set();sccs=[];i=[0]
def sc(v):
    idx[v]=low[v]=i[0];i[0]+=1;st.append(v);on.add(v)
    for w in mods.get(v,()):
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        c=[]
        while True:
            w=st.pop();on.discard(w);c.append(w)
            if w==v:break
        if len(c)>1: sccs.append(c)
for v in list(mods):
    if v not in idx: sc(v)
for c in sccs:
    print("cycle: " + " -> ".join(sorted(c)))
sys.exit(1 if sccs else 0)
